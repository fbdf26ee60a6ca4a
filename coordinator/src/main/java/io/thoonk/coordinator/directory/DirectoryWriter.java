package io.thoonk.coordinator.directory;

import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The leader's decisions: placing teams, registering and removing shards. Run only on the leader
 * (followers forward to it); serialized here so the leader never races itself, and guarded by the
 * store's compare-and-set against anyone else.
 */
public final class DirectoryWriter {

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Duration timeout;

    public DirectoryWriter(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Duration timeout) {
        this.store = store;
        this.cache = cache;
        this.nodes = nodes;
        this.timeout = timeout;
    }

    /**
     * The team's placement, placing it on the least-loaded shard if it has none. Concurrent first
     * resolves are placed together: one thread takes every request waiting, writes each new team's
     * fence on its shard, then commits all the placements in one ZooKeeper transaction. The fences
     * go on the shards before the commit, so no client can learn of a placement whose shard does
     * not know the team yet.
     */
    public TeamPlacement placeNew(String team) throws Exception {
        Optional<TeamPlacement> known = cache.team(team);
        if (known.isPresent()) {
            return known.get();
        }
        CompletableFuture<TeamPlacement> answer = new CompletableFuture<>();
        pending.add(new PendingPlacement(team, answer));
        ensurePlacer();
        try {
            return answer.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private record PendingPlacement(String team, CompletableFuture<TeamPlacement> answer) {
    }

    private final BlockingQueue<PendingPlacement> pending = new LinkedBlockingQueue<>();
    private Thread placer;

    private synchronized void ensurePlacer() {
        if (placer == null) {
            placer = new Thread(this::placeLoop, "directory-placer");
            placer.setDaemon(true);
            placer.start();
        }
    }

    private void placeLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            List<PendingPlacement> batch = new ArrayList<>();
            try {
                batch.add(pending.take());
            } catch (InterruptedException e) {
                return;
            }
            pending.drainTo(batch, MAX_BATCH - 1);
            try {
                Map<String, TeamPlacement> placed = placeBatch(batch);
                batch.forEach(p -> p.answer.complete(placed.get(p.team)));
            } catch (Exception e) {
                batch.forEach(p -> p.answer.completeExceptionally(e));
            }
        }
    }

    private static final int MAX_BATCH = 500;

    private synchronized Map<String, TeamPlacement> placeBatch(List<PendingPlacement> batch) throws Exception {
        Map<String, Long> counts = new HashMap<>();
        List<Shard> shards = cache.shards();
        shards.forEach(s -> counts.put(s.getId(), cache.teamCount(s.getId())));
        Map<String, TeamPlacement> proposed = new LinkedHashMap<>();
        Map<String, TeamPlacement> known = new HashMap<>();
        for (PendingPlacement p : batch) {
            Optional<TeamPlacement> already = cache.team(p.team);
            if (already.isPresent()) {
                known.put(p.team, already.get());
                continue;
            }
            if (proposed.containsKey(p.team)) {
                continue;
            }
            Shard shard = Placement.leastLoaded(shards, id -> counts.getOrDefault(id, 0L)).orElseThrow(() ->
                    new DirectoryException(DirectoryException.Reason.FAILED_PRECONDITION,
                            "no active shard to place team '" + p.team + "' on; register one with AddShard"));
            counts.merge(shard.getId(), 1L, Long::sum);
            proposed.put(p.team, TeamPlacement.newBuilder().setTeam(p.team).setShardId(shard.getId())
                    .setEpoch(1).setState(TeamState.TEAM_ACTIVE).build());
        }
        if (!proposed.isEmpty()) {
            for (TeamPlacement placement : proposed.values()) {
                Shard shard = shards.stream().filter(s -> s.getId().equals(placement.getShardId())).findFirst()
                        .orElseThrow();
                nodes.writeFence(shard.getPrimary(), TeamFence.active(placement.getTeam(), placement.getEpoch()));
            }
            DirectoryStore.Committed<Map<String, TeamPlacement>> committed = store.placeTeams(proposed);
            cache.awaitRevision(committed.revision(), timeout);
            known.putAll(committed.value());
        }
        return known;
    }

    /** Stops the placing thread. */
    public void close() {
        Thread t;
        synchronized (this) {
            t = placer;
        }
        if (t != null) {
            t.interrupt();
        }
    }

    /** Places an unplaced team on a given shard, or pins/unpins a team where it already is. */
    public synchronized TeamPlacement placeExplicit(String team, String shardId, boolean pin) throws Exception {
        Shard shard = cache.shard(shardId).orElseThrow(() -> new DirectoryException(
                DirectoryException.Reason.NOT_FOUND, "no shard '" + shardId + "'; see ListShards"));
        Optional<TeamPlacement> existing = store.readTeam(team);
        if (existing.isPresent() && !existing.get().getShardId().equals(shardId)) {
            throw new DirectoryException(DirectoryException.Reason.FAILED_PRECONDITION, "team '" + team
                    + "' already lives on shard '" + existing.get().getShardId()
                    + "'; moving a team to another shard is a team move, not a placement");
        }
        if (existing.isEmpty()) {
            nodes.writeFence(shard.getPrimary(), TeamFence.active(team, 1));
        }
        return commit(team, current -> {
            if (current.isPresent() && !current.get().getShardId().equals(shardId)) {
                return current.get();
            }
            return current.map(TeamPlacement::toBuilder)
                    .orElseGet(() -> TeamPlacement.newBuilder().setTeam(team).setShardId(shardId).setEpoch(1)
                            .setState(TeamState.TEAM_ACTIVE))
                    .setPinned(pin).build();
        });
    }

    private TeamPlacement commit(String team, java.util.function.Function<Optional<TeamPlacement>, TeamPlacement> change)
            throws Exception {
        DirectoryStore.Committed<TeamPlacement> committed = store.updateTeam(team, change);
        cache.awaitRevision(committed.revision(), timeout);
        return committed.value();
    }

    /** Registers a shard after checking its nodes really are a primary and its replicas. */
    public synchronized Shard addShard(String id, String primary, List<String> replicas, int weight) throws Exception {
        nodes.checkShard(primary, replicas);
        Shard shard = Shard.newBuilder().setId(id).setPrimary(primary).addAllReplicas(replicas).setEpoch(1)
                .setState(ShardState.SHARD_ACTIVE).setWeight(weight <= 0 ? 1 : weight).build();
        long revision = store.putShard(shard, true);
        cache.awaitRevision(revision, timeout);
        return shard;
    }

    /** Removes an empty shard. */
    public synchronized void removeShard(String id) throws Exception {
        cache.awaitRevision(store.readRevision(), timeout);
        if (cache.shard(id).isEmpty()) {
            throw new DirectoryException(DirectoryException.Reason.NOT_FOUND, "no shard '" + id + "'");
        }
        long teams = cache.teamCount(id);
        if (teams > 0) {
            throw new DirectoryException(DirectoryException.Reason.FAILED_PRECONDITION, "shard '" + id + "' still owns "
                    + teams + " team(s); move them to other shards before removing it");
        }
        long revision = store.removeShard(id);
        cache.awaitRevision(revision, timeout);
    }
}
