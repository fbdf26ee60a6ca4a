package io.thoonk.client;

/**
 * Receives the events of a {@link Subscription}.
 *
 * <p>Threading and order: calls for one subscription are never concurrent and arrive in order;
 * for each object, events carrying revisions arrive in strictly increasing revision order with no
 * gap. When the subscriber notices a gap (a skipped revision, or a reconnect) it replays the missing
 * events from the object's history first ({@link Event#replayed()} is then true). Events from peers
 * that keep no revisions ({@link Event#isLegacy()}) are delivered as they arrive. A listener should
 * not block for long: it holds up its own subscription's later events (not other subscriptions').
 */
@FunctionalInterface
public interface EventListener {

    void onEvent(Event event);

    /**
     * The history of {@code object} no longer reaches back to {@code missingFrom}: events from
     * {@code missingFrom} up to {@code resumedAt - 1} are lost to this subscriber. Delivery goes on
     * from {@code resumedAt}. Reload the object's state if you keep a copy of it. Default: ignore.
     */
    default void onHistoryLost(String object, long missingFrom, long resumedAt) {
    }

    /** A listener threw, or a replay failed. Default: ignore (the client logs it). */
    default void onError(Throwable error) {
    }
}
