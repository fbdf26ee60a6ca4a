package io.thoonk.client.internal;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Every team on one Redis, with no directory and no epochs. */
final class SingleShardRouter implements ShardRouter {

    private final ShardConnection shard;
    private final CompletableFuture<Route> route;

    SingleShardRouter(ShardConnection shard) {
        this.shard = shard;
        this.route = CompletableFuture.completedFuture(Route.single(shard));
    }

    @Override
    public CompletableFuture<Route> route(String team) {
        return route;
    }

    @Override
    public boolean invalidate(String team) {
        return false;
    }

    @Override
    public CompletableFuture<Map<String, ShardConnection>> shardsById() {
        return CompletableFuture.completedFuture(Map.of("single", shard));
    }

    @Override
    public void close() {
        shard.close();
    }
}
