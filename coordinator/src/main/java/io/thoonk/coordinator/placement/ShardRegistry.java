package io.thoonk.coordinator.placement;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;

import java.time.Duration;
import java.util.List;

/**
 * Registers and removes shards, on the leader, as {@link Decisions decisions}: so a shard is never
 * removed while a placement on it is being decided.
 */
public final class ShardRegistry {

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Decisions decisions;
    private final Duration timeout;

    /** @param timeout of waiting for the cache to hold a write */
    public ShardRegistry(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions,
                         Duration timeout) {
        this.store = store;
        this.cache = cache;
        this.nodes = nodes;
        this.decisions = decisions;
        this.timeout = timeout;
    }

    /** Registers a shard after checking its nodes really are a primary and its replicas. */
    public Shard add(String id, String primary, List<String> replicas, int weight) throws Exception {
        return decisions.run("registering shard '" + id + "'", () -> {
            nodes.checkShard(primary, replicas);
            Shard shard = Shard.newBuilder().setId(id).setPrimary(primary).addAllReplicas(replicas).setEpoch(1)
                    .setState(ShardState.SHARD_ACTIVE).setWeight(weight <= 0 ? 1 : weight).build();
            long revision = store.putShard(shard, true);
            cache.awaitRevision(revision, timeout);
            return shard;
        });
    }

    /** Removes an empty shard. */
    public void remove(String id) throws Exception {
        decisions.run("removing shard '" + id + "'", () -> {
            cache.awaitRevision(store.readRevision(), timeout);
            if (cache.view().shard(id).isEmpty()) {
                throw new CoordinatorException(CoordinatorException.Reason.NOT_FOUND, "no shard '" + id + "'");
            }
            long teams = cache.view().teamCount(id);
            if (teams > 0) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + id
                        + "' still owns " + teams + " team(s); move them to other shards before removing it");
            }
            long revision = store.removeShard(id);
            cache.awaitRevision(revision, timeout);
            return null;
        });
    }
}
