package io.thoonk.client;

/**
 * Receives the events of a {@link Subscription}.
 *
 * <p>Threading and order: a listener is called on the client's pub/sub I/O thread that read the
 * event, with no hand-off to another thread (which would cost a thread wake-up per event). Calls
 * for one subscription are never concurrent and arrive in order; for each object, events carrying
 * revisions arrive in strictly increasing revision order with no gap. When the subscriber notices a
 * gap (a skipped revision, or a reconnect) it replays the missing events from the object's history
 * first ({@link Event#replayed()} is then true). Events from peers that keep no revisions
 * ({@link Event#isLegacy()}) are delivered as they arrive.
 *
 * <p>A listener should return quickly: while it runs, later events of every subscription to the
 * same Redis shard (they share one pub/sub connection, and so one thread) wait. Hand long or
 * blocking work to an executor of your own.
 *
 * <p>A listener may call the client, blocking calls included: commands travel on connections whose
 * replies other threads read, so a call never waits for the thread it blocks. What only a pub/sub
 * thread can answer is not waited for inside a listener: a {@code subscribe} there returns at once
 * and the subscription becomes active when Redis confirms it, shortly after. An object subscription
 * made there still starts from the revision current at the call (the events in between are replayed
 * from the history), so it misses nothing; a pattern subscription hears what is published after Redis
 * confirmed it; a failure to subscribe reaches the new listener's {@link #onError}. Closing a
 * subscription never waits. {@link Jobs#awaitResult} polls the kept result there instead of waiting
 * for the finish event, and {@link Thoonk#close()} returns at once and closes in the background.
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
