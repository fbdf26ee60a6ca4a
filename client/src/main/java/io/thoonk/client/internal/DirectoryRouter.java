package io.thoonk.client.internal;

import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ReloadRequired;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Routes teams through the coordinators' directory, from three parts: the
 * {@link CoordinatorConnection} (gRPC to any coordinator, and the Watch stream), the
 * {@link RouteTable} (shards, cached teams and their routes, the revision applied) and the
 * {@link ShardPool} (one connection per shard primary).
 *
 * <p>A team is resolved on first use (concurrent first uses share one Resolve) and cached: a cached
 * route is one map read. The Watch stream applies shard changes and placement changes of cached
 * teams as they happen; when the coordinator says the client must reload, the shard list is read
 * again and the cached teams are forgotten (and resolved again on next use). Listeners hear of
 * every shard added, removed or given a new primary, and of every cached team re-placed.
 *
 * <p>While no coordinator answers, cached teams keep working; an unknown team fails with a
 * {@link ThoonkConnectionException} that says so.
 */
final class DirectoryRouter implements ShardRouter {

    private static final Logger log = LoggerFactory.getLogger(DirectoryRouter.class);

    private final CoordinatorConnection coordinators;
    private final ShardPool pool;
    private final RouteTable table;
    private final Map<String, CompletableFuture<Route>> resolving = new ConcurrentHashMap<>();
    private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
    /** Completed (and replaced) by the next change of any shard or cached team: see {@link #nextChange()}. */
    private final AtomicReference<CompletableFuture<Void>> nextChange = new AtomicReference<>(new CompletableFuture<>());
    private volatile boolean closed;

    private DirectoryRouter(CoordinatorConnection coordinators, ShardPool pool) {
        this.coordinators = coordinators;
        this.pool = pool;
        this.table = new RouteTable(pool);
    }

    /**
     * Loads the shard list from the coordinators and starts watching; fails with a
     * {@link ThoonkConnectionException} when no coordinator answers within {@code timeout}.
     * Coordinator calls complete on {@code callbacks}, never on a gRPC thread.
     */
    static DirectoryRouter start(List<String> coordinators, RedisClients redis, Executor callbacks, Duration timeout,
                                 RedisCredentials credentials, int maxQueuedCalls) {
        DirectoryRouter router = new DirectoryRouter(new CoordinatorConnection(coordinators, timeout, callbacks),
                new ShardPool(redis, credentials, maxQueuedCalls));
        try {
            ListShardsResponse shards = Await.await(router.coordinators.listShards(), timeout.plusSeconds(1));
            router.table.reset(shards);
            router.coordinators.follow(router.new Follower());
            return router;
        } catch (RuntimeException e) {
            router.close();
            throw e;
        }
    }

    /** Applies the Watch stream to the table and tells the listeners. */
    private final class Follower implements CoordinatorConnection.Follower {
        @Override
        public long nextRevision() {
            return table.snapshot().revision() + 1;
        }

        @Override
        public void onChange(DirectoryChange change) {
            tell(table.apply(change));
        }

        @Override
        public CompletableFuture<Void> onReload(ReloadRequired reload) {
            return coordinators.listShards().thenAccept(list -> {
                RouteTable.Changed changed = table.reset(list);
                log.info("reloaded the directory at revision {}: {} shard(s), {} changed; {} cached team(s) forgotten",
                        list.getDirectoryRevision(), list.getShardsCount(), changed.shards().size(),
                        changed.teams().size());
                tell(changed);
            });
        }
    }

    private void tell(RouteTable.Changed changed) {
        if (!changed.shards().isEmpty() || !changed.teams().isEmpty()) {
            nextChange.getAndSet(new CompletableFuture<>()).complete(null);
        }
        for (String shard : changed.shards()) {
            listeners.forEach(l -> l.shardChanged(shard));
        }
        for (String team : changed.teams()) {
            listeners.forEach(l -> l.teamChanged(team));
        }
    }

    @Override
    public void addListener(RouteListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(RouteListener listener) {
        listeners.remove(listener);
    }

    @Override
    public CompletableFuture<Route> route(String team) {
        CompletableFuture<Route> cached = table.cached(team);
        if (cached != null) {
            return cached;
        }
        if (closed) {
            return CompletableFuture.failedFuture(new ThoonkConnectionException("the client is closed", null));
        }
        CompletableFuture<Route> mine = new CompletableFuture<>();
        CompletableFuture<Route> other = resolving.putIfAbsent(team, mine);
        if (other != null) {
            return other;
        }
        coordinators.resolve(team).thenCompose(answer -> {
            RouteTable.Learned learned = table.learn(answer);
            tell(learned.changed());
            return learned.route();
        }).whenComplete((route, error) -> {
            resolving.remove(team, mine);
            if (error == null) {
                mine.complete(route);
            } else {
                mine.completeExceptionally(Await.unwrap(error));
            }
        });
        return mine;
    }

    @Override
    public boolean invalidate(String team) {
        table.forget(team);
        // A refusal is news of a move that the Watch may not have brought yet (and once the team is
        // forgotten, the Watch's change of it is not reported): subscriptions check where it is now.
        listeners.forEach(l -> l.teamChanged(team));
        return !closed;
    }

    @Override
    public CompletableFuture<Void> nextChange() {
        return closed ? null : nextChange.get();
    }

    @Override
    public CompletableFuture<Map<String, ShardConnection>> shardsById() {
        return table.connections();
    }

    @Override
    public void close() {
        closed = true;
        nextChange.get().complete(null);
        coordinators.close();
        pool.close();
    }
}
