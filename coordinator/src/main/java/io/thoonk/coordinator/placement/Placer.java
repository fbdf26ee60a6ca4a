package io.thoonk.coordinator.placement;

import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Places teams, on the leader: a new team on the active shard with the fewest teams per unit of
 * weight (a shard of weight 0 takes no new teams), or, by an operator, on a given shard (whatever
 * its weight).
 *
 * <p>Concurrent first resolves are placed together: they queue, and one task on the coordinator's
 * executor takes up to {@value #MAX_BATCH} of them as one {@link Decisions decision}, writes each
 * new team's fence on its shard, then commits all the placements in one ZooKeeper transaction. The
 * fences go on the shards before the commit, so no client can learn of a placement whose shard
 * does not know the team yet.
 */
public final class Placer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Placer.class);

    static final int MAX_BATCH = 500;

    private record Pending(String team, CompletableFuture<TeamPlacement> answer) {
    }

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Decisions decisions;
    private final Executor executor;
    private final Duration timeout;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean batchQueued = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * @param executor runs the batches of first placements
     * @param timeout  of fence writes and of waiting for the cache; a first placement waits twice that
     */
    public Placer(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions, Executor executor,
                  Duration timeout) {
        this.store = store;
        this.cache = cache;
        this.nodes = nodes;
        this.decisions = decisions;
        this.executor = executor;
        this.timeout = timeout;
    }

    /** The team's placement, placing it first if it has none. */
    public TeamPlacement placeNew(String team) throws Exception {
        Optional<TeamPlacement> known = cache.view().team(team);
        if (known.isPresent()) {
            return known.get();
        }
        Pending p = new Pending(team, new CompletableFuture<>());
        pending.add(p);
        scheduleBatch();
        long waitMillis = timeout.toMillis() * 2;
        try {
            return p.answer.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED, "team '" + team
                    + "' was not placed within " + waitMillis + " ms (" + pending.size()
                    + " first placements waiting); retry");
        }
    }

    private void scheduleBatch() {
        if (closed) {
            failPending();
            return;
        }
        if (!batchQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(this::placeOneBatch);
        } catch (RejectedExecutionException shuttingDown) {
            batchQueued.set(false);
            failPending();
        }
    }

    /** One batch; another task takes the next, so a flood of first resolves never holds a thread for long. */
    private void placeOneBatch() {
        List<Pending> batch = new ArrayList<>();
        try {
            for (Pending p; batch.size() < MAX_BATCH && (p = pending.poll()) != null; ) {
                batch.add(p);
            }
            if (!batch.isEmpty()) {
                Map<String, TeamPlacement> placed = decisions.run("placing " + batch.size() + " new team(s)",
                        () -> placeBatch(batch));
                batch.forEach(p -> p.answer.complete(placed.get(p.team)));
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            batch.forEach(p -> p.answer.completeExceptionally(e));
        } finally {
            batchQueued.set(false);
            if (!pending.isEmpty()) {
                scheduleBatch();
            }
        }
    }

    private Map<String, TeamPlacement> placeBatch(List<Pending> batch) throws Exception {
        DirectoryView view = cache.view();
        List<Shard> shards = view.shards();
        Map<String, Long> counts = new HashMap<>();
        shards.forEach(s -> counts.put(s.getId(), view.teamCount(s.getId())));
        Map<String, TeamPlacement> proposed = new LinkedHashMap<>();
        Map<String, TeamPlacement> known = new HashMap<>();
        for (Pending p : batch) {
            Optional<TeamPlacement> already = view.team(p.team);
            if (already.isPresent()) {
                known.put(p.team, already.get());
                continue;
            }
            if (proposed.containsKey(p.team)) {
                continue;
            }
            Shard shard = LeastLoaded.among(shards, id -> counts.getOrDefault(id, 0L)).orElseThrow(() ->
                    new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                            "no shard to place team '" + p.team + "' on: " + LeastLoaded.whyNone(shards)));
            counts.merge(shard.getId(), 1L, Long::sum);
            proposed.put(p.team, TeamPlacement.newBuilder().setTeam(p.team).setShardId(shard.getId())
                    .setEpoch(1).setState(TeamState.TEAM_ACTIVE).build());
        }
        if (!proposed.isEmpty()) {
            for (TeamPlacement placement : proposed.values()) {
                Shard shard = view.shard(placement.getShardId()).orElseThrow();
                nodes.writeFence(shard.getPrimary(), TeamFence.active(placement.getTeam(), placement.getEpoch()));
            }
            DirectoryStore.Committed<Map<String, TeamPlacement>> committed = store.placeTeams(proposed);
            cache.awaitRevision(committed.revision(), timeout);
            committed.value().values().forEach(Placer::logPlaced);
            known.putAll(committed.value());
        }
        return known;
    }

    /**
     * Places an unplaced team on a given shard (whatever its weight; not a draining one), or
     * pins/unpins a team where it already is.
     */
    public TeamPlacement placeExplicit(String team, String shardId, boolean pin) throws Exception {
        return decisions.run("placing team '" + team + "' on shard '" + shardId + "'", () -> {
            Shard shard = cache.view().shard(shardId).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'; see ListShards"));
            Optional<TeamPlacement> existing = store.readTeam(team);
            if (existing.isPresent() && !existing.get().getShardId().equals(shardId)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + team
                        + "' already lives on shard '" + existing.get().getShardId()
                        + "'; moving a placed team to another shard is a team move: MoveTeam (thoonk admin move "
                        + team + " " + shardId + ")");
            }
            if (existing.isEmpty() && ShardStates.draining(shard)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                        + "' is draining and takes no new teams; place team '" + team + "' on another shard, or "
                        + "let it take teams again first (UndrainShard)");
            }
            if (existing.isEmpty()) {
                nodes.writeFence(shard.getPrimary(), TeamFence.active(team, 1));
            }
            DirectoryStore.Committed<TeamPlacement> committed = store.updateTeam(team, current -> {
                if (current.isPresent() && !current.get().getShardId().equals(shardId)) {
                    return current.get();
                }
                return current.map(TeamPlacement::toBuilder)
                        .orElseGet(() -> TeamPlacement.newBuilder().setTeam(team).setShardId(shardId).setEpoch(1)
                                .setState(TeamState.TEAM_ACTIVE))
                        .setPinned(pin).build();
            });
            cache.awaitRevision(committed.revision(), timeout);
            logPlaced(committed.value());
            return committed.value();
        });
    }

    private static void logPlaced(TeamPlacement p) {
        log.info("team '{}' placed on shard '{}'{} [decision=placed team={} shard={} epoch={}]", p.getTeam(),
                p.getShardId(), p.getPinned() ? " (pinned)" : "", p.getTeam(), p.getShardId(), p.getEpoch());
    }

    private void failPending() {
        CoordinatorException closing = new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                "this coordinator is shutting down; use another one");
        for (Pending p; (p = pending.poll()) != null; ) {
            p.answer.completeExceptionally(closing);
        }
    }

    /** Answers every waiting first placement with UNAVAILABLE and takes no more; idempotent. */
    @Override
    public void close() {
        closed = true;
        failPending();
    }
}
