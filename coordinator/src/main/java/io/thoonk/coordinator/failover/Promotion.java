package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.coordinator.shard.NodeReplication;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Replacing a primary the coordinators agree is down, on the leader, inside a decision. Each step
 * is idempotent and the first one writes the intent, so a leader that stops anywhere is replaced by
 * one that {@link #resume resumes} the change or abandons it:
 *
 * <ol>
 *   <li>ask every replica ({@code INFO replication}, a short deadline) and choose the promotable one
 *       with the highest replication offset (ties: the first listed); none: the shard is FAILED, with
 *       the reason (a draining shard stays draining), and nothing else changes;</li>
 *   <li>write the intent (old primary, chosen replica, new epoch) to ZooKeeper;</li>
 *   <li>{@code min-replicas-to-write 0} and {@code REPLICAOF NO ONE} on the chosen replica;</li>
 *   <li>{@code REPLICAOF} the chosen one on every other replica that answers;</li>
 *   <li>one ZooKeeper transaction: the shard's record (epoch + 1, the new primary, the other replicas
 *       and the old primary as a replica to be), the intent deleted, the failover record appended.</li>
 * </ol>
 *
 * No client writes to the promoted replica before step 5 (only the directory names primaries), so
 * abandoning a change before it is published loses nothing.
 */
final class Promotion {

    private static final Logger log = LoggerFactory.getLogger(Promotion.class);

    private final Parts parts;

    Promotion(Parts parts) {
        this.parts = parts;
    }

    /**
     * Replaces the primary of {@code shardId} if the coordinators still agree it is down (checked
     * again here, with the shard's record read fresh).
     */
    void failover(String shardId) throws Exception {
        Optional<Shard> read = parts.store().readShard(shardId);
        if (read.isEmpty()) {
            return;
        }
        Shard shard = read.get();
        String primary = shard.getPrimary();
        if (!parts.health().hasQuorum() || !parts.health().isDown(primary)) {
            return;
        }
        FailoverRecord.Builder record = parts.record(shard, FailoverKind.FAILOVER_AUTOMATIC, firstSeenDown(primary));
        record.setDetectedMillis(parts.since(record));
        Map<String, NodeReplication> replicas = parts.nodes().replication(shard.getReplicasList(),
                parts.settings().nodeTimeout());
        Optional<NodeReplication> chosen = best(replicas.values().stream()
                .filter(r -> r.promotableFrom(primary)).toList(), shard.getReplicasList());
        if (chosen.isEmpty()) {
            fail(shard, record, replicas);
            return;
        }
        record.setNewPrimary(chosen.get().node()).setEpoch(shard.getEpoch() + 1).setOutcome("in progress")
                .setDecidedMillis(parts.since(record));
        parts.store().writeIntent(record.build());
        log.info("shard '{}': primary {} is down; promoting {} (replication offset {}) as epoch {} "
                + "[decision=failover-decided shard={} epoch={}]", shardId, primary, chosen.get().node(),
                chosen.get().offset(), record.getEpoch(), shardId, record.getEpoch());
        parts.reached(Promoter.Phase.DECIDED, record);
        complete(shard, record);
    }

    /** When the first coordinator saw {@code primary} down, by the shared reports (now if none says). */
    private long firstSeenDown(String primary) {
        long downFor = parts.health().reports(primary).values().stream().filter(r -> !r.reachable())
                .mapToLong(NodeReport::downForMillis).max().orElse(0);
        return parts.now() - downFor;
    }

    /** The candidate with the highest offset; ties go to the one listed first in {@code order}. */
    static Optional<NodeReplication> best(List<NodeReplication> candidates, List<String> order) {
        return candidates.stream().max(Comparator.comparingLong(NodeReplication::offset)
                .thenComparing(r -> -order.indexOf(r.node())));
    }

    /** No replica to promote: the shard becomes FAILED with the reason (once; later rounds change nothing). */
    private void fail(Shard shard, FailoverRecord.Builder record, Map<String, NodeReplication> replicas)
            throws Exception {
        if (shard.getState() == ShardState.SHARD_FAILED) {
            return;
        }
        String why = shard.getReplicasCount() == 0 ? "the shard has no replica"
                : replicas.values().stream().map(r -> r.whyNotPromotable(shard.getPrimary()))
                .collect(Collectors.joining("; "));
        String reason = "primary " + shard.getPrimary() + " down since " + Parts.time(record.getStartedAtMillis())
                + "; no replica to promote: " + why;
        record.setEpoch(shard.getEpoch()).setOutcome("not promoted: " + why).setDecidedMillis(parts.since(record));
        long revision = parts.store().updateShard(shard.getId(), shard.getEpoch(),
                s -> ShardStates.withNodes(s, ShardState.SHARD_FAILED, reason), record.build()).revision();
        parts.cache().awaitRevision(revision, parts.settings().callTimeout());
        log.warn("shard '{}' FAILED: {} [decision=failover-failed shard={} epoch={}]", shard.getId(), reason,
                shard.getId(), shard.getEpoch());
    }

    /**
     * Finishes or abandons an intent left by a leader that stopped (this one included): abandoned
     * when the old primary answers as a primary again or the chosen replica can no longer be
     * promoted; finished when the old primary is down or already follows the chosen one; left for
     * a later round while a planned switchover's old primary is merely unreachable.
     */
    void resume(FailoverRecord listed) throws Exception {
        String shardId = listed.getShardId();
        Optional<FailoverRecord> current = parts.store().readIntent(shardId);
        if (current.isEmpty() || !current.get().equals(listed)) {
            return; // finished or replaced since it was listed
        }
        FailoverRecord intent = current.get();
        Optional<Shard> read = parts.store().readShard(shardId);
        FailoverRecord.Builder record = intent.toBuilder().setCoordinatorId(parts.coordinatorId());
        if (read.isEmpty() || read.get().getEpoch() != intent.getEpoch() - 1
                || !ShardNodes.sameNode(read.get().getPrimary(), intent.getOldPrimary())) {
            abandon(record, "the directory moved on before it was published");
            return;
        }
        Shard shard = read.get();
        String old = intent.getOldPrimary();
        String chosen = intent.getNewPrimary();
        Map<String, NodeReplication> seen = parts.nodes().replication(List.of(old, chosen),
                parts.settings().nodeTimeout());
        NodeReplication o = seen.get(old);
        NodeReplication c = seen.get(chosen);
        if (o.isPrimary()) {
            abandon(record, "old primary " + old + " answers as primary again");
            unpauseQuietly(old);
            return;
        }
        boolean oldGone = o.isReplica() || intent.getKind() == FailoverKind.FAILOVER_AUTOMATIC
                || parts.health().isDown(old);
        if (!oldGone) {
            log.info("shard '{}': the unfinished switchover to {} waits: old primary {} is unreachable ({}) but not "
                    + "seen down by the coordinators", shardId, chosen, old, o.error());
            return;
        }
        if (!c.isPrimary() && !c.promotableFrom(old)) {
            abandon(record, "chosen replica cannot be promoted any more: " + c.whyNotPromotable(old));
            return;
        }
        log.info("shard '{}': finishing the failover from {} to {} (epoch {}) that leader '{}' left unfinished "
                + "[decision=failover-resumed shard={} epoch={}]", shardId, old, chosen, intent.getEpoch(),
                intent.getCoordinatorId(), shardId, intent.getEpoch());
        complete(shard, record);
    }

    /**
     * Steps 3 to 5 for the chosen replica {@code record.new_primary}. The old primary is not waited
     * for (it may hang): the upkeep makes it a replica when it answers as a primary again.
     */
    private void complete(Shard shard, FailoverRecord.Builder record) throws Exception {
        String chosen = record.getNewPrimary();
        Duration deadline = parts.settings().nodeTimeout();
        parts.nodes().setMinReplicas(chosen, 0, parts.settings().minReplicasMaxLagSeconds(), deadline);
        parts.nodes().replicaOfNoOne(chosen, deadline);
        record.setPromotedMillis(parts.since(record));
        parts.reached(Promoter.Phase.PROMOTED, record);
        List<String> following = parts.nodes().replicaOf(shard.getReplicasList().stream()
                .filter(n -> !ShardNodes.sameNode(n, chosen)).toList(), chosen, deadline);
        Shard next = Parts.promoted(shard, chosen, following);
        record.setEpoch(next.getEpoch()).setOutcome("promoted").setPublishedMillis(parts.since(record));
        long revision = parts.store().publishFailover(next, record.build());
        parts.cache().awaitRevision(revision, parts.settings().callTimeout());
        log.info("shard '{}': {} is primary at epoch {} in place of {} ({}; detected +{} ms, decided +{} ms, "
                        + "promoted +{} ms, published +{} ms) [decision=failover-promoted shard={} epoch={}]",
                shard.getId(), chosen, next.getEpoch(),
                shard.getPrimary(), following.isEmpty() ? "no replica follows it yet" : "followed by " + following,
                record.getDetectedMillis(), record.getDecidedMillis(), record.getPromotedMillis(),
                record.getPublishedMillis(), shard.getId(), next.getEpoch());
    }

    /** Deletes the intent and records why it was not finished. */
    void abandon(FailoverRecord.Builder record, String why) throws Exception {
        log.warn("shard '{}': abandoning the failover from {} to {} (epoch {}): {} "
                + "[decision=failover-abandoned shard={} epoch={}]", record.getShardId(), record.getOldPrimary(),
                record.getNewPrimary(), record.getEpoch(), why, record.getShardId(), record.getEpoch());
        parts.store().abandonFailover(record.setOutcome("abandoned: " + why).build());
    }

    private void unpauseQuietly(String node) {
        try {
            parts.nodes().unpause(node, parts.settings().nodeTimeout());
        } catch (CoordinatorException e) {
            log.info("could not unpause {}: {}", node, e.getMessage());
        }
    }
}
