package io.thoonk.client.internal;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Says which shard each team lives on, and owns every shard connection of a client: the one place
 * a client goes through to reach Redis.
 */
interface ShardRouter extends AutoCloseable {

    /** The team's current route; fails when it cannot be learned (e.g. no coordinator answers). */
    CompletableFuture<Route> route(String team);

    /**
     * A shard refused a write of this team (fenced): forget its cached route, so the next
     * {@link #route} asks the directory again. Returns false when asking again cannot help
     * (a single Redis has no directory), so the caller should give up at once.
     */
    boolean invalidate(String team);

    /** Every shard known now. */
    Collection<ShardConnection> shards();

    @Override
    void close();
}
