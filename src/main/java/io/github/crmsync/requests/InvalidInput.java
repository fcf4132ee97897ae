package io.github.crmsync.requests;

import java.util.List;

/** 400: the request names something wrongly; the message (and the problems, one per mistake) say what. */
public final class InvalidInput extends RequestRefused {

    public InvalidInput(String error) {
        super(400, error, null, null);
    }

    public InvalidInput(String error, List<String> problems) {
        super(400, error, problems, null);
    }
}
