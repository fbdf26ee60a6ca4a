package io.thoonk.client.internal;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.RedisClient;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Routes teams through the coordinators' directory: resolves a team on first use and caches the
 * answer (a cached route is one map read), and keeps one Watch stream open to apply moves and
 * shard changes as they happen, resuming from its last revision on any coordinator after a break.
 * Holds one {@link ShardConnection} per shard primary, whatever the number of teams.
 *
 * <p>While no coordinator answers, cached teams keep working; an unknown team fails at once with a
 * {@link ThoonkConnectionException} that says so.
 */
final class DirectoryRouter implements ShardRouter {

    private static final Logger log = LoggerFactory.getLogger(DirectoryRouter.class);
    /** A first resolve may queue behind other placements on the leader: allow it some time. */
    private static final long RESOLVE_DEADLINE_MS = 10_000;
    private static final long WATCH_RETRY_MS = 250;

    private final List<String> coordinators;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AtomicInteger preferred = new AtomicInteger();
    private final RedisClient redis;
    private final Executor callbacks;
    private final ScheduledExecutorService timer;
    private final Map<String, TeamPlacement> teams = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Route>> routes = new ConcurrentHashMap<>();
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    private final Map<String, ShardConnection> connections = new ConcurrentHashMap<>();
    private final List<RouteListener> listeners = new CopyOnWriteArrayList<>();
    private volatile long revision;
    private volatile boolean closed;

    DirectoryRouter(List<String> coordinators, RedisClient redis, Executor callbacks) {
        if (coordinators.isEmpty()) {
            throw new io.thoonk.client.InvalidArgumentException("at least one coordinator address (host:port) is needed");
        }
        this.coordinators = List.copyOf(coordinators);
        this.redis = redis;
        this.callbacks = callbacks;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thoonk-directory-watch");
            t.setDaemon(true);
            return t;
        });
        for (String address : coordinators) {
            channels.add(Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build());
        }
    }

    /** Loads the shard list from the first coordinator that answers and starts watching. */
    void start() {
        ListShardsResponse list = null;
        StatusRuntimeException last = null;
        for (int i = 0; i < channels.size() && list == null; i++) {
            int index = (preferred.get() + i) % channels.size();
            try {
                list = DirectoryGrpc.newBlockingStub(channels.get(index))
                        .withDeadlineAfter(RESOLVE_DEADLINE_MS, TimeUnit.MILLISECONDS)
                        .listShards(ListShardsRequest.getDefaultInstance());
                preferred.set(index);
            } catch (StatusRuntimeException e) {
                last = e;
            }
        }
        if (list == null) {
            throw new ThoonkConnectionException("no coordinator of " + coordinators + " answered: "
                    + (last == null ? "" : last.getStatus()), last);
        }
        list.getShardsList().forEach(this::applyShard);
        revision = list.getDirectoryRevision();
        watch();
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
        CompletableFuture<Route> cached = routes.get(team);
        if (cached != null && !cached.isCompletedExceptionally()) {
            return cached;
        }
        TeamPlacement known = teams.get(team);
        if (known != null && shards.containsKey(known.getShardId())) {
            CompletableFuture<Route> rebuilt = CompletableFuture.completedFuture(routeOf(known));
            routes.put(team, rebuilt);
            return rebuilt;
        }
        CompletableFuture<Route> fresh = new CompletableFuture<>();
        CompletableFuture<Route> raced = routes.putIfAbsent(team, fresh);
        if (raced != null && !raced.isCompletedExceptionally()) {
            return raced;
        }
        if (raced != null) {
            routes.replace(team, raced, fresh);
        }
        resolve(team, 0, fresh);
        return fresh;
    }

    /** Asks the coordinators in turn, starting with the one that answered last. */
    private void resolve(String team, int tried, CompletableFuture<Route> into) {
        if (closed) {
            into.completeExceptionally(new ThoonkConnectionException("client closed", null));
            return;
        }
        int index = (preferred.get() + tried) % channels.size();
        ListenableFuture<ResolveResponse> call = DirectoryGrpc.newFutureStub(channels.get(index))
                .withDeadlineAfter(RESOLVE_DEADLINE_MS, TimeUnit.MILLISECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam(team).build());
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(ResolveResponse response) {
                preferred.set(index);
                try {
                    if (response.hasShard()) {
                        applyShard(response.getShard());
                    }
                    teams.put(team, response.getPlacement());
                    into.complete(routeOf(response.getPlacement()));
                } catch (RuntimeException e) {
                    routes.remove(team, into);
                    into.completeExceptionally(e);
                }
            }

            @Override
            public void onFailure(Throwable error) {
                Status status = Status.fromThrowable(error);
                boolean retryable = status.getCode() == Status.Code.UNAVAILABLE
                        || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
                if (retryable && tried + 1 < channels.size()) {
                    resolve(team, tried + 1, into);
                    return;
                }
                routes.remove(team, into);
                into.completeExceptionally(retryable
                        ? new ThoonkConnectionException("cannot resolve team '" + team + "': no coordinator of "
                                + coordinators + " answered (" + status.getCode() + "); teams already known keep working", error)
                        : new io.thoonk.client.ThoonkException("the coordinator refused to resolve team '" + team + "': "
                                + status.getCode() + ": " + status.getDescription(), error));
            }
        }, callbacks);
    }

    private Route routeOf(TeamPlacement placement) {
        Shard shard = shards.get(placement.getShardId());
        if (shard == null) {
            throw new ThoonkConnectionException("team '" + placement.getTeam() + "' is on shard '"
                    + placement.getShardId() + "', which this client does not know yet", null);
        }
        return new Route(connection(shard), placement.getEpoch());
    }

    private ShardConnection connection(Shard shard) {
        return connections.computeIfAbsent(shard.getPrimary(),
                primary -> ShardConnection.connect(redis, "redis://" + primary));
    }

    @Override
    public boolean invalidate(String team) {
        teams.remove(team);
        routes.remove(team);
        return !closed;
    }

    @Override
    public Map<String, ShardConnection> shardsById() {
        Map<String, ShardConnection> all = new java.util.TreeMap<>();
        for (Shard shard : shards.values()) {
            all.put(shard.getId(), connection(shard));
        }
        return all;
    }

    private void applyShard(Shard shard) {
        Shard previous = shards.put(shard.getId(), shard);
        connection(shard);
        if (previous == null || !previous.getPrimary().equals(shard.getPrimary())) {
            if (previous != null) {
                // a new primary (failover): routes are rebuilt from the cached placements
                teams.forEach((team, placement) -> {
                    if (placement.getShardId().equals(shard.getId())) {
                        routes.remove(team);
                    }
                });
                ShardConnection old = connections.remove(previous.getPrimary());
                if (old != null) {
                    old.close();
                }
            }
            listeners.forEach(l -> l.shardChanged(shard.getId()));
        }
    }

    private void apply(DirectoryChange change) {
        switch (change.getChangeCase()) {
            case SHARD -> applyShard(change.getShard());
            case REMOVED_SHARD_ID -> {
                shards.remove(change.getRemovedShardId());
                listeners.forEach(l -> l.shardChanged(change.getRemovedShardId()));
            }
            case TEAM -> {
                String team = change.getTeam().getTeam();
                if (teams.containsKey(team)) {
                    teams.put(team, change.getTeam());
                    routes.remove(team);
                    listeners.forEach(l -> l.teamChanged(team));
                }
            }
            default -> { }
        }
        revision = change.getRevision();
    }

    /** One Watch stream at a time; after any break, resumes from the last applied revision. */
    private void watch() {
        if (closed) {
            return;
        }
        int index = preferred.get() % channels.size();
        DirectoryGrpc.newStub(channels.get(index)).watch(WatchRequest.newBuilder().setFromRevision(revision + 1).build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse response) {
                        if (response.hasChange()) {
                            apply(response.getChange());
                        } else if (response.hasReload()) {
                            log.info("directory watch must reload (current revision {})",
                                    response.getReload().getCurrentRevision());
                            teams.clear();
                            routes.clear();
                            revision = response.getReload().getCurrentRevision();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        preferred.set(index + 1);
                        retryWatch();
                    }

                    @Override
                    public void onCompleted() {
                        retryWatch();
                    }
                });
    }

    private void retryWatch() {
        if (!closed) {
            timer.schedule(this::watch, WATCH_RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
        connections.values().forEach(ShardConnection::close);
    }
}
