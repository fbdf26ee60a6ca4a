package io.thoonk.client;

/**
 * An edit or retract carried the revision the caller last saw, and the item has changed since.
 * Nothing was written. Read the item again ({@link Item#revision()}) and retry with that revision.
 */
public final class ConflictException extends ThoonkException {

    private final String object;
    private final String id;
    private final long expectedRevision;
    private final long currentRevision;

    public ConflictException(String object, String id, long expectedRevision, long currentRevision) {
        super("conflict on '" + object + "' item '" + id + "': expected revision " + expectedRevision
                + " but the item is at revision " + currentRevision
                + (currentRevision == 0 ? " (it does not exist)" : "") + "; re-read it and retry");
        this.object = object;
        this.id = id;
        this.expectedRevision = expectedRevision;
        this.currentRevision = currentRevision;
    }

    public String object() {
        return object;
    }

    public String id() {
        return id;
    }

    public long expectedRevision() {
        return expectedRevision;
    }

    /** The item's revision now; 0 when the item does not exist. */
    public long currentRevision() {
        return currentRevision;
    }
}
