package io.github.crmsync.requests;

/** 404: the record the path names does not exist (or, for a bulk run, none is running). */
public final class NotFound extends RequestRefused {

    public NotFound(String error) {
        super(404, error, null, null);
    }
}
