package io.thoonk.client.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Coalesces concurrent publishes to one feed into one script call (group commit).
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
 * <p>All lane state changes happen inside {@link ConcurrentHashMap#compute}, under the map's lock
 * for that feed, so a lane is removed only when idle and never while a publish is joining it; the
 * order of publishes to one feed from one thread is therefore kept.
 */
final class PublishCoalescer {

    /** Items of one batch, in chars (at least one item goes even if it alone is larger). */
    static final long MAX_BATCH_CHARS = 1 << 20;

    /** One publish waiting for its revision. */
    record Pending(String id, String item, CompletableFuture<Long> revision) {
    }

    /**
     * Sends one batch (in order) as one script call and answers each publish's revision, in the
     * same order.
     */
    interface Sender extends Function<List<Pending>, CompletableFuture<List<Long>>> {
    }

    private static final class Lane {
        final Sender sender;
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        boolean busy;

        Lane(Sender sender) {
            this.sender = sender;
        }
    }

    private final int maxBatch;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    PublishCoalescer(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    /** Publishes {@code item} as {@code id} to {@code feed}; {@code sender} is used if the lane is new. */
    CompletableFuture<Long> publish(String feed, String id, String item, Sender sender) {
        Pending pending = new Pending(id, item, new CompletableFuture<>());
        if (maxBatch == 1) {
            complete(List.of(pending), call(sender, List.of(pending)));
            return pending.revision();
        }
        Batch[] ready = new Batch[1];
        lanes.compute(feed, (name, lane) -> {
            Lane l = lane == null ? new Lane(sender) : lane;
            l.waiting.add(pending);
            ready[0] = takeBatch(l);
            return l;
        });
        if (ready[0] != null) {
            send(feed, ready[0]);
        }
        return pending.revision();
    }

    /** Feeds with publishes waiting or in flight (for tests and metrics). */
    int activeLanes() {
        return lanes.size();
    }

    private record Batch(Sender sender, List<Pending> publishes) {
    }

    /** Under the lane's lock: the next batch if the lane is free and has publishes waiting. */
    private Batch takeBatch(Lane lane) {
        if (lane.busy || lane.waiting.isEmpty()) {
            return null;
        }
        List<Pending> batch = new ArrayList<>(Math.min(maxBatch, lane.waiting.size()));
        long chars = 0;
        while (!lane.waiting.isEmpty() && batch.size() < maxBatch) {
            Pending next = lane.waiting.peek();
            chars += next.item().length();
            if (!batch.isEmpty() && chars > MAX_BATCH_CHARS) {
                break;
            }
            batch.add(lane.waiting.poll());
        }
        lane.busy = true;
        return new Batch(lane.sender, batch);
    }

    private void send(String feed, Batch batch) {
        call(batch.sender(), batch.publishes()).whenComplete((revisions, error) -> {
            // Answer first: publishes made by those callbacks then join the next batch, which is
            // taken only after them, so batches stay full under a steady load.
            complete(batch.publishes(), revisions, error);
            Batch[] next = new Batch[1];
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

    private static CompletableFuture<List<Long>> call(Sender sender, List<Pending> publishes) {
        try {
            return sender.apply(publishes);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void complete(List<Pending> publishes, CompletableFuture<List<Long>> call) {
        call.whenComplete((revisions, error) -> complete(publishes, revisions, error));
    }

    private static void complete(List<Pending> publishes, List<Long> revisions, Throwable error) {
        for (int i = 0; i < publishes.size(); i++) {
            CompletableFuture<Long> revision = publishes.get(i).revision();
            if (error != null) {
                revision.completeExceptionally(error);
            } else if (revisions == null || revisions.size() != publishes.size()) {
                revision.completeExceptionally(new IllegalStateException("feed script answered "
                        + (revisions == null ? "nothing" : revisions.size() + " revisions") + " for "
                        + publishes.size() + " publishes"));
            } else {
                revision.complete(revisions.get(i));
            }
        }
    }
}
