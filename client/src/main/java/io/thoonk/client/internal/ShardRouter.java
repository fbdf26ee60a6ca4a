package io.thoonk.client.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Says which shard each team lives on, and owns every shard connection of a client: the one place
 * a client goes through to reach Redis. No method blocks: callers may be on a Lettuce I/O thread.
 */
interface ShardRouter extends AutoCloseable {

    /** The team's current route; fails when it cannot be learned (e.g. no coordinator answers). */
    CompletableFuture<Route> route(String team);

    /**
     * A shard refused an operation of this team (fenced): forget its cached route, so the next
     * {@link #route} asks the directory again, and tell the listeners the team changed (so that
     * subscriptions check where it is). Returns false when asking again cannot help
     * (a single Redis has no directory), so the caller should give up at once.
     */
    boolean invalidate(String team);

    /**
     * Completes at the next change the directory brings after this call: a shard record added,
     * changed (a new primary, replicas, state) or removed, or a cached team's placement changed
     * (moved, frozen, unfrozen). A call takes it before an attempt and, when the attempt fails in a
     * way a new route or a move's end can cure (a failover, a frozen team), retries once it
     * completes: a change during the attempt is not missed. Null when nothing can change (a single
     * Redis has no directory, or the client is closed).
     */
    default CompletableFuture<Void> nextChange() {
        return null;
    }

    /** Every shard known now, by shard id, once each is connected; never blocks. */
    CompletableFuture<Map<String, ShardConnection>> shardsById();

    /** Told when routes change, so subscriptions can follow their teams. */
    interface RouteListener {
        /** The team's placement changed (moved, frozen or unfrozen). */
        void teamChanged(String team);

        /** A shard was added or removed, or its record changed (a new primary, replicas, state). */
        void shardChanged(String shardId);
    }

    /** Routes of a single Redis never change: the default does nothing. */
    default void addListener(RouteListener listener) {
    }

    default void removeListener(RouteListener listener) {
    }

    @Override
    void close();
}
