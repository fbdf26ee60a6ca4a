package io.thoonk.client;

/**
 * A replay asked for revisions the object's bounded history no longer holds. Reload the object's
 * state (for example {@link Feed#all()}) and continue from its current revision, or raise the
 * object's {@code history_length}.
 */
public final class HistoryTruncatedException extends ThoonkException {

    private final String object;
    private final long requestedRevision;
    private final long oldestAvailableRevision;

    public HistoryTruncatedException(String object, long requestedRevision, long oldestAvailableRevision) {
        super("history of '" + object + "' starts at revision " + oldestAvailableRevision
                + ", cannot replay from " + requestedRevision
                + "; reload the object's state or raise its history_length");
        this.object = object;
        this.requestedRevision = requestedRevision;
        this.oldestAvailableRevision = oldestAvailableRevision;
    }

    public String object() {
        return object;
    }

    public long requestedRevision() {
        return requestedRevision;
    }

    /** First revision still in the history; 0 when the history is empty. */
    public long oldestAvailableRevision() {
        return oldestAvailableRevision;
    }
}
