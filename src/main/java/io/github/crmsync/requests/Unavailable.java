package io.github.crmsync.requests;

/** 503: something the answer needs (e.g. the live schemas) cannot be read now; trying again later may work. */
public final class Unavailable extends RequestRefused {

    public Unavailable(String error) {
        super(503, error, null, null);
    }
}
