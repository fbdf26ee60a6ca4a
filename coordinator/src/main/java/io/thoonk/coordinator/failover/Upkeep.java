package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.shard.NodeReplication;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps a shard's nodes as the directory says, on the leader, inside a decision, from what the
 * nodes answered moments before (skipped when the shard's record changed since):
 *
 * <ul>
 *   <li>a replica that answers as a primary (an old primary returning) is made a replica of the
 *       directory's primary at once, and a replica following another node is pointed back at it;
 *       a directory primary that answers as a replica (and has no unfinished failover) is made a
 *       primary again: only the directory names primaries;</li>
 *   <li>the primary runs {@code min-replicas-to-write 1} and the configured
 *       {@code min-replicas-max-lag} while at least one replica counts for it (online, acknowledged
 *       within that lag, as the primary lists them), {@code 0} otherwise;</li>
 *   <li>the shard's state follows: DEGRADED (with the reason) while it has replicas and none is
 *       live, ACTIVE again when one is, or when a FAILED shard's primary answers again. A DRAINING
 *       shard keeps its state.</li>
 * </ul>
 *
 * It does nothing for a shard whose primary does not answer (the failure detector's business).
 * The nodes are {@link #ask asked} without blocking, so keeping shards never delays a promotion
 * while a node hangs.
 */
final class Upkeep {

    private static final Logger log = LoggerFactory.getLogger(Upkeep.class);

    private final Parts parts;

    Upkeep(Parts parts) {
        this.parts = parts;
    }

    /**
     * Asks every node of {@code shards} about its replication at once, to keep each shard with the
     * answers. A node the coordinators agree is {@link io.thoonk.coordinator.cluster.NodeHealthView#isDown
     * down} is not asked (it would only use up the deadline): it is in the answers as unreachable.
     * (Not a node that merely failed this coordinator's last probe: one slow answer must not make a
     * live replica count as gone.) The answers complete within the node timeout; nothing waits for
     * them here.
     */
    CompletableFuture<Map<String, NodeReplication>> ask(List<Shard> shards) {
        Map<String, NodeReplication> skipped = new LinkedHashMap<>();
        List<String> asked = new ArrayList<>();
        for (Shard s : shards) {
            List<String> nodes = new ArrayList<>();
            nodes.add(s.getPrimary());
            nodes.addAll(s.getReplicasList());
            for (String node : nodes) {
                if (parts.health().isDown(node)) {
                    skipped.put(node, NodeReplication.unreachable(node, "seen down by the coordinators"));
                } else {
                    asked.add(node);
                }
            }
        }
        return parts.nodes().replicationAsync(asked, parts.settings().nodeTimeout()).thenApply(answers -> {
            Map<String, NodeReplication> all = new LinkedHashMap<>(answers);
            all.putAll(skipped);
            return all;
        });
    }

    /** Keeps {@code asked} (the shard's record when its nodes were asked) with their answers {@code seen}. */
    void keep(Shard asked, Map<String, NodeReplication> seen) throws Exception {
        Optional<Shard> current = parts.cache().view().shard(asked.getId());
        if (current.isEmpty() || current.get().getEpoch() != asked.getEpoch()
                || !current.get().getPrimary().equals(asked.getPrimary())) {
            return;
        }
        Shard shard = current.get();
        String primary = shard.getPrimary();
        NodeReplication p = seen.get(primary);
        if (p == null || !p.reachable() || parts.health().isDown(primary)) {
            return;
        }
        Duration deadline = parts.settings().nodeTimeout();
        if (p.isReplica()) {
            log.warn("shard '{}': its primary {} answers as a replica of {}; making it primary again (only the directory "
                    + "names primaries)", shard.getId(), primary, p.primary());
            parts.nodes().replicaOfNoOne(primary, deadline);
        }
        List<String> live = new ArrayList<>();
        List<String> notLive = new ArrayList<>();
        for (String replica : shard.getReplicasList()) {
            NodeReplication r = seen.get(replica);
            if (r == null || !r.reachable()) {
                notLive.add(replica + " unreachable" + (r == null ? "" : " (" + r.error() + ")"));
            } else if (r.isPrimary() || !r.follows(primary)) {
                log.warn("shard '{}': node {} answers as {}{}; making it a replica of the primary {}", shard.getId(),
                        replica, r.isPrimary() ? "a primary" : "a replica of ", r.isPrimary() ? "" : r.primary(),
                        primary);
                parts.nodes().replicaOf(replica, primary, deadline);
                notLive.add(replica + " resyncing");
            } else if (r.linkUp()) {
                live.add(replica);
            } else {
                notLive.add(replica + " link down");
            }
        }
        applySettings(shard, p.goodReplicas(parts.settings().minReplicasMaxLagSeconds()));
        updateState(shard, live, notLive);
    }

    private void applySettings(Shard shard, int liveReplicas) {
        String primary = shard.getPrimary();
        Duration deadline = parts.settings().nodeTimeout();
        int wanted = liveReplicas > 0 ? 1 : 0;
        long lag = parts.settings().minReplicasMaxLagSeconds();
        try {
            long[] now = parts.nodes().minReplicas(primary, deadline);
            if (now[0] != wanted || now[1] != lag) {
                parts.nodes().setMinReplicas(primary, wanted, lag, deadline);
                log.info("shard '{}': primary {} now runs min-replicas-to-write {} (min-replicas-max-lag {} s): {} live "
                        + "replica(s)", shard.getId(), primary, wanted, lag, liveReplicas);
            }
        } catch (CoordinatorException e) {
            log.info("shard '{}': could not check the replication settings of {}: {}", shard.getId(), primary,
                    e.getMessage());
        }
    }

    private void updateState(Shard shard, List<String> live, List<String> notLive) throws Exception {
        ShardState state = shard.getState();
        if (state == ShardState.SHARD_DRAINING) {
            return;
        }
        boolean degraded = shard.getReplicasCount() > 0 && live.isEmpty();
        ShardState wanted = degraded ? ShardState.SHARD_DEGRADED : ShardState.SHARD_ACTIVE;
        if (wanted == state) {
            return;
        }
        String reason = degraded ? "no live replica since " + Parts.time(parts.now()) + " (" + String.join(", ",
                notLive) + "); writes are not replicated" : "";
        long revision = parts.store().updateShard(shard.getId(), shard.getEpoch(), s -> s.toBuilder().setState(wanted)
                .setStateReason(reason).build(), null).revision();
        parts.cache().awaitRevision(revision, parts.settings().callTimeout());
        log.info("shard '{}': {} -> {}{}", shard.getId(), state, wanted, reason.isEmpty() ? "" : ": " + reason);
    }
}
