package io.thoonk.coordinator.directory;

import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

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
     * The team's placement, placing it on the least-loaded shard if it has none. The fence goes on
     * the shard before the placement is committed, so no client can learn of a placement whose
     * shard does not know the team yet.
     */
    public synchronized TeamPlacement placeNew(String team) throws Exception {
        Optional<TeamPlacement> existing = store.readTeam(team);
        if (existing.isPresent()) {
            return existing.get();
        }
        cache.awaitRevision(store.readRevision(), timeout);
        Shard shard = Placement.leastLoaded(cache.shards(), cache::teamCount).orElseThrow(() ->
                new DirectoryException(DirectoryException.Reason.FAILED_PRECONDITION,
                        "no active shard to place team '" + team + "' on; register one with AddShard"));
        TeamPlacement placement = TeamPlacement.newBuilder().setTeam(team).setShardId(shard.getId())
                .setEpoch(1).setState(TeamState.TEAM_ACTIVE).build();
        nodes.writeFence(shard.getPrimary(), team, "active", placement.getEpoch());
        return commit(team, current -> current.orElse(placement));
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
            nodes.writeFence(shard.getPrimary(), team, "active", 1);
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
