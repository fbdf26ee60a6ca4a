package io.thoonk.coordinator.placement;

import io.thoonk.contract.ShardMarker;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Registers and removes shards, on the leader, as {@link Decisions decisions}: so a shard is never
 * removed while a placement on it is being decided.
 *
 * <p>One Redis serves one shard: a primary that an existing shard already uses, by address
 * ({@code localhost:6379} and {@code 127.0.0.1:6379} are one) or by run id (the same process
 * reached by another name or through a proxy), is refused. A registered shard's primary carries
 * the {@link ShardMarker} naming it, written before the directory names the shard and removed
 * after the shard is removed. A primary with a replica it counts as online is set to
 * {@code min-replicas-to-write 1} (so, isolated from its replicas, it soon refuses writes), one
 * without to 0, before the shard is named (the leader's failover upkeep keeps it so afterwards).
 */
public final class ShardRegistry {

    private static final Logger log = LoggerFactory.getLogger(ShardRegistry.class);

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Decisions decisions;
    private final String namespace;
    private final Duration timeout;
    private final Duration minReplicasMaxLag;

    /**
     * @param namespace the directory's ZooKeeper namespace, written into the shard markers
     * @param timeout   of waiting for the cache to hold a write, and of the Redis calls
     * @param minReplicasMaxLag the {@code min-replicas-max-lag} a registered primary with replicas gets
     *                  (with {@code min-replicas-to-write 1}; without replicas it gets 0)
     */
    public ShardRegistry(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions,
                         String namespace, Duration timeout, Duration minReplicasMaxLag) {
        this.store = store;
        this.cache = cache;
        this.nodes = nodes;
        this.decisions = decisions;
        this.namespace = namespace;
        this.timeout = timeout;
        this.minReplicasMaxLag = minReplicasMaxLag;
    }

    /**
     * Registers a shard after checking its nodes really are a primary and its replicas, and that
     * no other shard uses its primary.
     *
     * @param weight relative capacity for placing new teams, >= 0; 0: the shard takes no new teams
     *               (only explicit placements)
     * @throws CoordinatorException ALREADY_EXISTS when the id is taken or another shard uses the
     *                              primary, naming that shard
     */
    public Shard add(String id, String primary, List<String> replicas, int weight) throws Exception {
        if (weight < 0) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT,
                    "weight must be >= 0 (0: the shard takes no new teams), was " + weight);
        }
        return decisions.run("registering shard '" + id + "'", () -> {
            cache.awaitRevision(store.readRevision(), timeout);
            DirectoryView view = cache.view();
            view.shard(id).ifPresent(existing -> {
                throw new CoordinatorException(CoordinatorException.Reason.ALREADY_EXISTS, "shard '" + id
                        + "' is already registered (primary " + existing.getPrimary() + ")");
            });
            nodes.checkShard(primary, replicas);
            refuseSharedPrimary(view, primary);
            long lag = minReplicasMaxLag.toSeconds();
            nodes.setMinReplicas(primary, nodes.replication(primary, timeout).goodReplicas(lag) > 0 ? 1 : 0, lag,
                    timeout);
            Shard shard = Shard.newBuilder().setId(id).setPrimary(primary).addAllReplicas(replicas).setEpoch(1)
                    .setState(ShardState.SHARD_ACTIVE).setWeight(weight).build();
            nodes.writeMarker(primary, new ShardMarker(id, namespace));
            long revision;
            try {
                revision = store.putShard(shard, true);
            } catch (Exception e) {
                removeMarkerQuietly(primary, id);
                throw e;
            }
            cache.awaitRevision(revision, timeout);
            return shard;
        });
    }

    /**
     * ALREADY_EXISTS when a registered shard's primary is {@code primary}, by address or by run id
     * (a primary whose run id cannot be read, {@code INFO} being renamed away, say, is compared by
     * address only, with a warning; primaries of other shards that do not answer in time are left out).
     */
    private void refuseSharedPrimary(DirectoryView view, String primary) {
        for (Shard other : view.shards()) {
            if (ShardNodes.sameNode(other.getPrimary(), primary)) {
                throw sharedPrimary(primary, other, "");
            }
        }
        String runId;
        try {
            runId = nodes.runId(primary);
        } catch (CoordinatorException e) {
            log.warn("{}; registering it without comparing run ids with the other shards' primaries", e.getMessage());
            return;
        }
        Map<String, String> runIds = nodes.runIds(view.shards().stream().map(Shard::getPrimary).toList());
        for (Shard other : view.shards()) {
            if (runId.equals(runIds.get(other.getPrimary()))) {
                throw sharedPrimary(primary, other, ", the same Redis (run id " + runId + ")");
            }
        }
    }

    private static CoordinatorException sharedPrimary(String primary, Shard other, String how) {
        return new CoordinatorException(CoordinatorException.Reason.ALREADY_EXISTS, "primary " + primary
                + " is already used by shard '" + other.getId() + "' (primary " + other.getPrimary() + how
                + "); one Redis can serve only one shard");
    }

    /** Removes an empty shard, then its marker on the primary (a marker left behind is logged). */
    public void remove(String id) throws Exception {
        decisions.run("removing shard '" + id + "'", () -> {
            cache.awaitRevision(store.readRevision(), timeout);
            Shard shard = cache.view().shard(id).orElseThrow(() ->
                    new CoordinatorException(CoordinatorException.Reason.NOT_FOUND, "no shard '" + id + "'"));
            long teams = cache.view().teamCount(id);
            if (teams > 0) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + id
                        + "' still owns " + teams + " team(s); move them to other shards before removing it");
            }
            long revision = store.removeShard(id);
            cache.awaitRevision(revision, timeout);
            removeMarkerQuietly(shard.getPrimary(), id);
            return null;
        });
    }

    private void removeMarkerQuietly(String primary, String id) {
        try {
            nodes.removeMarker(primary, id);
        } catch (CoordinatorException e) {
            log.warn("{}; tools pointed straight at that Redis will still take it for a cluster shard until the "
                    + "key is deleted", e.getMessage());
        }
    }
}
