package io.thoonk.client;

/**
 * A live subscription to one object or to a pattern of objects. Closing it stops delivery;
 * {@code close()} is idempotent.
 */
public interface Subscription extends AutoCloseable {

    /** The object name or pattern subscribed to. */
    String target();

    /** Whether {@link #target()} is a pattern. */
    boolean isPattern();

    /**
     * The last revision delivered for {@code object}, or -1 if none yet. Resubscribing later with
     * {@code fromRevision = lastRevision(object) + 1} continues without a gap.
     */
    long lastRevision(String object);

    @Override
    void close();
}
