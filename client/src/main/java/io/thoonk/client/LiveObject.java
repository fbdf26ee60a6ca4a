package io.thoonk.client;

import java.util.List;

/**
 * What every Thoonk object offers: its revision, a replay of its recent history, and live events.
 * Blocking calls wait at most {@link ThoonkOptions#commandTimeout()}.
 */
public interface LiveObject {

    /** The object's full name, e.g. {@code team:353:member:7:tasks}. */
    String name();

    ObjectType type();

    /** The object's current revision (0 if it never changed). */
    long revision();

    /**
     * The changes from {@code fromRevision} (inclusive) to now, oldest first.
     *
     * @throws HistoryTruncatedException if the history no longer reaches back to {@code fromRevision}
     */
    List<Event> replay(long fromRevision);

    /**
     * Delivers this object's events from now on. Returns once the subscription is active; inside a
     * listener, at once (see {@link EventListener}).
     */
    Subscription subscribe(EventListener listener);

    /**
     * Replays this object's events from {@code fromRevision} (inclusive), then delivers live ones,
     * in revision order with no gap and no duplicate. Returns once the subscription is active;
     * inside a listener, at once (see {@link EventListener}).
     */
    Subscription subscribe(long fromRevision, EventListener listener);
}
