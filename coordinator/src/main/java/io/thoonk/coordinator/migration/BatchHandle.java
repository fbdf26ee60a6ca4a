package io.thoonk.coordinator.migration;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A drain or a rebalance as it runs on the leader ({@link Rebalancer}): many team moves, a bounded
 * number at a time. Watching never steers it: a listener that goes away leaves it running. An
 * operator stops one by cancelling one of its moves ({@code CancelMove}): it then starts no new
 * move, lets the others end, and ends.
 *
 * <p>Listeners get a progress message ({@code DrainProgress} or {@code RebalanceProgress}) when a
 * move starts or ends and at least every progress interval (1 s), the last with {@code done}. They
 * are called one at a time (never concurrently), in order, from the batch's thread; a listener
 * that throws is removed.
 *
 * @param <P> the progress message
 */
public interface BatchHandle<P> {

    /** Where the batch is now. */
    P progress();

    /**
     * Adds a listener; it gets the current progress at once, then every report. Added after the
     * batch ended, it gets the final report once.
     */
    void addListener(Consumer<P> listener);

    void removeListener(Consumer<P> listener);

    /** Completes with the final progress ({@code done}) when the batch ends, whichever way. */
    CompletableFuture<P> completion();
}
