package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.ShardStates;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
 *       live, ACTIVE again when one is, or when a FAILED shard's primary answers again; a draining
 *       shard keeps its mark, so it is DRAINING again rather than ACTIVE ({@link ShardStates}).</li>
 * </ul>
 *
 * It does nothing for a shard whose primary does not answer (the failure detector's business).
 * The nodes are {@link #ask asked} (their replication, and the primaries' settings) without
 * blocking, so keeping shards never delays a promotion while a node hangs; inside the decision
 * only the changes talk to the nodes.
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
    CompletableFuture<Answers> ask(List<Shard> shards) {
        Map<String, NodeReplication> skipped = new LinkedHashMap<>();
        List<String> asked = new ArrayList<>();
        Map<String, CompletableFuture<long[]>> settings = new LinkedHashMap<>();
        Duration deadline = parts.settings().nodeTimeout();
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
            if (!skipped.containsKey(s.getPrimary())) {
                settings.computeIfAbsent(s.getPrimary(), p -> parts.nodes().minReplicasAsync(p, deadline));
            }
        }
        CompletableFuture<Map<String, NodeReplication>> replication = parts.nodes().replicationAsync(asked, deadline);
        CompletableFuture<?>[] all = new CompletableFuture<?>[settings.size() + 1];
        int i = 0;
        for (CompletableFuture<long[]> f : settings.values()) {
            all[i++] = f.exceptionally(e -> null);
        }
        all[i] = replication;
        return CompletableFuture.allOf(all).thenApply(done -> {
            Map<String, NodeReplication> nodes = new LinkedHashMap<>(replication.join());
            nodes.putAll(skipped);
            Map<String, Settings> primaries = new LinkedHashMap<>();
            settings.forEach((node, f) -> {
                try {
                    long[] v = f.join();
                    primaries.put(node, new Settings(v[0], v[1], ""));
                } catch (CompletionException | CancellationException e) {
                    primaries.put(node, new Settings(-1, -1, e.getCause() == null ? e.toString()
                            : e.getCause().getMessage()));
                }
            });
            return new Answers(nodes, primaries);
        });
    }

    /** What the nodes answered: each node's replication, and each answering primary's min-replicas settings. */
    record Answers(Map<String, NodeReplication> nodes, Map<String, Settings> primaries) {
    }

    /** A primary's {@code min-replicas-to-write} and {@code min-replicas-max-lag}, or why they are unknown. */
    record Settings(long minReplicasToWrite, long maxLagSeconds, String error) {
        boolean known() {
            return error.isEmpty();
        }
    }

    /** Keeps {@code asked} (the shard's record when its nodes were asked) with their answers. */
    void keep(Shard asked, Answers answers) throws Exception {
        Map<String, NodeReplication> seen = answers.nodes();
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
        applySettings(shard, answers.primaries().get(primary), p.goodReplicas(parts.settings().minReplicasMaxLagSeconds()));
        updateState(shard, live, notLive);
    }

    private void applySettings(Shard shard, Settings now, int liveReplicas) {
        String primary = shard.getPrimary();
        if (now == null || !now.known()) {
            log.info("shard '{}': could not check the replication settings of {}: {}", shard.getId(), primary,
                    now == null ? "not asked" : now.error());
            return;
        }
        int wanted = liveReplicas > 0 ? 1 : 0;
        long lag = parts.settings().minReplicasMaxLagSeconds();
        if (now.minReplicasToWrite() == wanted && now.maxLagSeconds() == lag) {
            return;
        }
        try {
            parts.nodes().setMinReplicas(primary, wanted, lag, parts.settings().nodeTimeout());
            log.info("shard '{}': primary {} now runs min-replicas-to-write {} (min-replicas-max-lag {} s): {} live "
                    + "replica(s)", shard.getId(), primary, wanted, lag, liveReplicas);
        } catch (CoordinatorException e) {
            log.info("shard '{}': could not change the replication settings of {}: {}", shard.getId(), primary,
                    e.getMessage());
        }
    }

    private void updateState(Shard shard, List<String> live, List<String> notLive) throws Exception {
        boolean degraded = shard.getReplicasCount() > 0 && live.isEmpty();
        ShardState nodes = degraded ? ShardState.SHARD_DEGRADED : ShardState.SHARD_ACTIVE;
        String reason = degraded ? "no live replica since " + Parts.time(parts.now()) + " (" + String.join(", ",
                notLive) + "); writes are not replicated" : "";
        Shard wanted = ShardStates.withNodes(shard, nodes, reason);
        if (wanted.getState() == shard.getState() && wanted.getDraining() == shard.getDraining()) {
            return;
        }
        long revision = parts.store().updateShard(shard.getId(), shard.getEpoch(),
                s -> ShardStates.withNodes(s, nodes, reason), null).revision();
        parts.cache().awaitRevision(revision, parts.settings().callTimeout());
        log.info("shard '{}': {} -> {}{}", shard.getId(), ShardStates.describe(shard), ShardStates.describe(wanted),
                wanted.getStateReason().isEmpty() ? "" : ": " + wanted.getStateReason());
    }
}
