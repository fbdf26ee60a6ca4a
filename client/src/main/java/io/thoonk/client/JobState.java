package io.thoonk.client;

/** Where a job is in its life cycle. */
public enum JobState {
    /** Waiting in the available list. */
    QUEUED,
    /** Claimed by a worker, not yet finished. */
    CLAIMED,
    /** Set aside; only {@link Jobs#retry} makes it available again. */
    STALLED,
    /** Finished, and its result is still kept (within the result TTL). */
    FINISHED,
    /** Never existed, retracted, or finished longer ago than the result TTL. */
    UNKNOWN
}
