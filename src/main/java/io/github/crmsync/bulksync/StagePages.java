package io.github.crmsync.bulksync;

/** Pages to stage, taken one at a time by a route loop while {@link #more} and the run goes on. */
public interface StagePages {

    /** Whether a page is left to read. */
    boolean more();
}
