package io.thoonk.client.internal;

import io.thoonk.client.ThoonkConnectionException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Keeps each feed's writes in order and coalesces its concurrent publishes into one script call
 * (group commit).
 *
 * <p>Each feed has a lane with at most one call in flight. A publish to an idle lane goes out at
 * once, so a lone publisher pays no extra latency; publishes that arrive while a call is in flight
 * wait and then leave together, up to {@code maxBatch} of them or {@link #MAX_BATCH_CHARS} of
 * items (a batch always takes at least one). The script runs them in arrival order, each its own
 * change with its own revision, history entry and events. Most of a publish script's cost on the
 * server is per call (parsing, the fence and config checks, the clock, the writes of items and
 * scores), so under load this multiplies what one Redis can take. With {@code maxBatch} 1 there
 * is nothing to coalesce and publishes go straight out, pipelined like any other command.
 *
 * <p>One call in flight is also what keeps a feed's publishes in order: the next batch is sent from
 * the I/O thread that completed the previous one, and Lettuce orders the writes of different
 * threads only as they reach the event loop, so a second call in flight could overtake the first.
 *
 * <p>Edits and retracts of the feed take the same lane, each as a call of its own, so that a
 * thread's publish, edit and retract of one item reach Redis in the order it made them.
 *
 * <p>All lane state changes happen inside {@link ConcurrentHashMap#compute}, under the map's lock
 * for that feed, so a lane is removed only when idle and never while a write is joining it.
 *
 * <p>A waiting write whose result is already complete (its caller's deadline passed) is dropped
 * when its turn comes, never sent late. At most {@code maxWaiting} writes wait in one lane; a write
 * beyond that fails at once with a {@link ThoonkConnectionException}: the feed's Redis is not
 * keeping up, or not answering.
 */
final class PublishCoalescer {

    /** Items of one batch, in chars (at least one item goes even if it alone is larger). */
    static final long MAX_BATCH_CHARS = 1 << 20;

    /**
     * Sends one batch of publishes (in order) as one script call and answers each publish's
     * revision, in the same order.
     */
    interface Sender extends Function<List<Pending>, CompletableFuture<List<Long>>> {
    }

    /**
     * A write waiting in a feed's lane: a publish of {@code item} as {@code id} (sent by
     * {@code sender}, with others of the same {@code group}), or any other write ({@code solo}),
     * which goes alone.
     */
    record Pending(String id, String item, Object group, Sender sender, Supplier<CompletableFuture<Long>> solo,
                   CompletableFuture<Long> result) {
    }

    private static final class Lane {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        boolean busy;
    }

    private final int maxBatch;
    private final int maxWaiting;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    PublishCoalescer(int maxBatch, int maxWaiting) {
        this.maxBatch = maxBatch;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Publishes {@code item} as {@code id} to {@code feed}; answers its revision. Only publishes of
     * an equal {@code group} go in one batch (e.g. those asking for the same durability: one batch
     * is acknowledged as a whole); the batch is sent by its first publish's {@code sender}.
     */
    CompletableFuture<Long> publish(String feed, String id, String item, Object group, Sender sender) {
        return enqueue(feed, new Pending(id, item, group, sender, null, new CompletableFuture<>()));
    }

    /** Runs another write of {@code feed} (an edit, a retract) in turn, alone; answers what it answers. */
    CompletableFuture<Long> write(String feed, Supplier<CompletableFuture<Long>> write) {
        return enqueue(feed, new Pending(null, null, null, null, write, new CompletableFuture<>()));
    }

    /** Feeds with writes waiting or in flight; a lane goes away once it is idle. */
    int activeLanes() {
        return lanes.size();
    }

    @SuppressWarnings("unchecked")
    private CompletableFuture<Long> enqueue(String feed, Pending pending) {
        if (maxBatch == 1) {
            List<Pending> alone = List.of(pending);
            call(alone).whenComplete((results, error) -> complete(alone, results, error));
            return pending.result();
        }
        List<Pending>[] ready = new List[1];
        boolean[] full = new boolean[1];
        lanes.compute(feed, (name, lane) -> {
            Lane l = lane == null ? new Lane() : lane;
            if (l.waiting.size() >= maxWaiting) {
                full[0] = true;
                return l;
            }
            l.waiting.add(pending);
            ready[0] = takeBatch(l);
            return l;
        });
        if (full[0]) {
            pending.result().completeExceptionally(new ThoonkConnectionException(maxWaiting + " writes to '" + feed
                    + "' are already waiting for Redis, which is not keeping up or not answering", null));
        }
        if (ready[0] != null) {
            send(feed, ready[0]);
        }
        return pending.result();
    }

    /**
     * Under the lane's lock: the next batch if the lane is free and has writes waiting: the first
     * waiting write if it is not a publish, else the publishes that follow it up to the limits.
     */
    private List<Pending> takeBatch(Lane lane) {
        if (lane.busy) {
            return null;
        }
        List<Pending> batch = new ArrayList<>();
        long chars = 0;
        while (!lane.waiting.isEmpty() && batch.size() < maxBatch) {
            Pending next = lane.waiting.peek();
            if (next.result().isDone()) {
                lane.waiting.poll(); // its caller gave up (deadline): never send it late
                continue;
            }
            if (next.solo() != null) {
                if (batch.isEmpty()) {
                    batch.add(lane.waiting.poll());
                }
                break;
            }
            chars += next.item().length();
            if (!batch.isEmpty() && (chars > MAX_BATCH_CHARS || !Objects.equals(next.group(), batch.get(0).group()))) {
                break;
            }
            batch.add(lane.waiting.poll());
        }
        if (batch.isEmpty()) {
            return null;
        }
        lane.busy = true;
        return batch;
    }

    @SuppressWarnings("unchecked")
    private void send(String feed, List<Pending> batch) {
        call(batch).whenComplete((results, error) -> {
            // Answer first: writes made by those callbacks then join the next batch, which is
            // taken only after them, so batches stay full under a steady load.
            complete(batch, results, error);
            List<Pending>[] next = new List[1];
            lanes.computeIfPresent(feed, (name, lane) -> {
                lane.busy = false;
                next[0] = takeBatch(lane);
                return lane.busy ? lane : null;
            });
            if (next[0] != null) {
                send(feed, next[0]);
            }
        });
    }

    /** One script call for {@code batch}: a solo write, or publishes through their sender. */
    private static CompletableFuture<List<Long>> call(List<Pending> batch) {
        Pending first = batch.get(0);
        try {
            return first.solo() != null
                    ? first.solo().get().thenApply(Collections::singletonList)
                    : first.sender().apply(batch);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void complete(List<Pending> batch, List<Long> results, Throwable error) {
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<Long> result = batch.get(i).result();
            if (error != null) {
                result.completeExceptionally(error);
            } else if (results == null || results.size() != batch.size()) {
                result.completeExceptionally(new IllegalStateException("feed script answered "
                        + (results == null ? "nothing" : results.size() + " results") + " for "
                        + batch.size() + " writes"));
            } else {
                result.complete(results.get(i));
            }
        }
    }
}
