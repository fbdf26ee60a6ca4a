package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.shard.NodeReplication;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A planned switchover with no lost write, inside a decision:
 *
 * <ol>
 *   <li>check the chosen replica follows the primary with its link up; write the intent;</li>
 *   <li>{@code CLIENT PAUSE WRITE} on the primary (for the timeout plus {@link #PAUSE_MARGIN}, so a
 *       coordinator that stops here pauses writes only that long), and read its replication offset;</li>
 *   <li>wait until the replica has processed that offset (at most the timeout; otherwise the pause
 *       ends, the intent is abandoned and the primary stays primary: DEADLINE_EXCEEDED);</li>
 *   <li>{@code REPLICAOF NO ONE} on the replica, then {@code REPLICAOF} it on the old primary (which
 *       so turns the paused writes into READONLY errors instead of running them) and on the other
 *       replicas;</li>
 *   <li>publish the shard's record (epoch + 1) with the intent deleted and the record appended;</li>
 *   <li>{@code CLIENT UNPAUSE}: the writers, refused with READONLY, find the new primary in the
 *       directory already.</li>
 * </ol>
 *
 * Every write acknowledged before the pause is on the replica when it is promoted, and none is
 * taken after it, so none is lost. If a step after the promotion fails, the roles are put back
 * (the replica follows the old primary again) before the pause ends.
 */
final class Switchover {

    private static final Logger log = LoggerFactory.getLogger(Switchover.class);

    /** How much longer than the catch-up timeout the primary's pause lasts, for the hand-over itself. */
    static final Duration PAUSE_MARGIN = Duration.ofSeconds(2);
    /** The longest catch-up timeout a caller may ask for. */
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(5);

    private final Parts parts;
    private final Promotion promotion;

    Switchover(Parts parts, Promotion promotion) {
        this.parts = parts;
        this.promotion = promotion;
    }

    FailoverResponse run(String shardId, Optional<String> to, Duration timeout) throws Exception {
        long startedAt = parts.now();
        Shard shard = parts.store().readShard(shardId).orElseThrow(() -> new CoordinatorException(
                CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'; see ListShards"));
        String primary = shard.getPrimary();
        if (shard.getReplicasCount() == 0) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                    + "' has no replica to hand over to; register the shard again with a replica");
        }
        Optional<String> asked = to.map(t -> shard.getReplicasList().stream().filter(r -> ShardNodes.sameNode(r, t))
                .findFirst().orElseThrow(() -> new CoordinatorException(CoordinatorException.Reason.NOT_FOUND,
                        "shard '" + shardId + "' has no replica " + t + "; its replicas are "
                                + String.join(", ", shard.getReplicasList()))));
        Duration deadline = parts.settings().nodeTimeout();
        Map<String, NodeReplication> seen = parts.nodes().replication(
                java.util.stream.Stream.concat(java.util.stream.Stream.of(primary), shard.getReplicasList().stream())
                        .toList(), deadline);
        NodeReplication p = seen.get(primary);
        if (!p.isPrimary()) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "primary " + primary
                    + " of shard '" + shardId + "' cannot hand over: " + (p.reachable() ? "it answers as " + p.role()
                    : "it is unreachable (" + p.error() + ")"));
        }
        NodeReplication chosen = asked.map(seen::get).orElseGet(() -> Promotion.best(seen.values().stream()
                .filter(r -> r.liveReplicaOf(primary) && !r.syncing()).toList(), shard.getReplicasList())
                .orElse(null));
        if (chosen == null || !chosen.liveReplicaOf(primary) || chosen.syncing()) {
            String why = chosen == null ? "no replica is in sync with it: " + String.join("; ", seen.values().stream()
                    .filter(r -> !r.node().equals(primary)).map(this::notInSync).toList()) : notInSync(chosen);
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                    + "' cannot switch over from " + primary + ": " + why);
        }
        FailoverRecord.Builder record = parts.record(shard, FailoverKind.FAILOVER_PLANNED, startedAt)
                .setNewPrimary(chosen.node()).setEpoch(shard.getEpoch() + 1).setOutcome("in progress");
        record.setDecidedMillis(parts.since(record));
        try {
            parts.store().writeIntent(record.build());
        } catch (CoordinatorException e) {
            if (e.reason() != CoordinatorException.Reason.ALREADY_EXISTS) {
                throw e;
            }
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                    + "' has an unfinished failover; the leader finishes or abandons it within a second: retry", e);
        }
        parts.reached(Promoter.Phase.DECIDED, record);
        return handOver(shard, chosen.node(), record, timeout);
    }

    private String notInSync(NodeReplication r) {
        if (!r.reachable()) {
            return r.node() + " is unreachable (" + r.error() + ")";
        }
        if (r.syncing()) {
            return r.node() + " is in the middle of a full sync";
        }
        return r.node() + (r.isReplica() ? " (link " + (r.linkUp() ? "up" : "down") + " to " + r.primary() + ")"
                : " answers as " + r.role()) + " is not a live replica of it";
    }

    private FailoverResponse handOver(Shard shard, String chosen, FailoverRecord.Builder record, Duration timeout)
            throws Exception {
        String primary = shard.getPrimary();
        Duration deadline = parts.settings().nodeTimeout();
        long pausedAt = System.nanoTime();
        parts.nodes().pauseWrites(primary, timeout.plus(PAUSE_MARGIN), deadline);
        Shard next;
        try {
            long target = parts.nodes().replication(primary, deadline).offset();
            long reached = awaitOffset(chosen, target, pausedAt + timeout.toNanos());
            if (reached < target) {
                promotion.abandon(record, "replica " + chosen + " did not catch up within " + timeout.toMillis()
                        + " ms (offset " + reached + " of " + target + ")");
                throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED, "replica " + chosen
                        + " of shard '" + shard.getId() + "' did not catch up with " + primary + " within "
                        + timeout.toMillis() + " ms (offset " + reached + " of " + target + "); " + primary
                        + " stays primary: retry, or with a longer timeout");
            }
            if (System.nanoTime() - pausedAt > timeout.plus(PAUSE_MARGIN.dividedBy(2)).toNanos()) {
                promotion.abandon(record, "the hand-over took too long to finish within the primary's write pause");
                throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "the switchover of shard '"
                        + shard.getId() + "' took too long after the catch-up; " + primary + " stays primary: retry");
            }
            parts.nodes().setMinReplicas(chosen, 0, parts.settings().minReplicasMaxLagSeconds(), deadline);
            parts.nodes().replicaOfNoOne(chosen, deadline);
            record.setPromotedMillis(parts.since(record));
            parts.reached(Promoter.Phase.PROMOTED, record);
            next = publish(shard, chosen, record);
        } finally {
            unpause(primary, deadline);
        }
        long pauseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
        log.info("shard '{}': switched over from {} to {} at epoch {}; writes paused {} ms (decided +{} ms, promoted "
                        + "+{} ms, published +{} ms) [decision=switchover shard={} epoch={}]", shard.getId(), primary,
                chosen, next.getEpoch(), pauseMillis, record.getDecidedMillis(), record.getPromotedMillis(),
                record.getPublishedMillis(), shard.getId(), next.getEpoch());
        return FailoverResponse.newBuilder().setShard(parts.cache().view().shard(next.getId()).orElse(next))
                .setFailover(record.build()).build();
    }

    /** Demotes the old primary, points the other replicas at the new one and publishes; rolls back on failure. */
    private Shard publish(Shard shard, String chosen, FailoverRecord.Builder record) throws Exception {
        String primary = shard.getPrimary();
        Duration deadline = parts.settings().nodeTimeout();
        try {
            parts.nodes().replicaOf(primary, chosen, deadline);
            List<String> following = new ArrayList<>(List.of(primary));
            following.addAll(parts.nodes().replicaOf(shard.getReplicasList().stream()
                    .filter(r -> !ShardNodes.sameNode(r, chosen)).toList(), chosen, deadline));
            Shard next = Parts.promoted(shard, chosen, following);
            record.setOutcome("promoted").setPublishedMillis(parts.since(record));
            long revision = parts.store().publishFailover(next, record.build());
            parts.cache().awaitRevision(revision, parts.settings().callTimeout());
            return next;
        } catch (Exception e) {
            rollBack(shard, chosen, record, e);
            throw e;
        }
    }

    private void rollBack(Shard shard, String chosen, FailoverRecord.Builder record, Exception cause) {
        String primary = shard.getPrimary();
        Duration deadline = parts.settings().nodeTimeout();
        log.warn("shard '{}': the switchover to {} failed after the promotion ({}); {} becomes primary again "
                + "[decision=switchover-rolled-back shard={} epoch={}]", shard.getId(), chosen, cause.getMessage(),
                primary, shard.getId(), shard.getEpoch());
        try {
            parts.nodes().replicaOfNoOne(primary, deadline);
            parts.nodes().replicaOf(shard.getReplicasList(), primary, deadline);
            promotion.abandon(record, "failed after the promotion: " + cause.getMessage());
        } catch (Exception e) {
            log.warn("shard '{}': rolling back the switchover to {} failed too ({}); the leader conforms the nodes to "
                    + "the directory at its next round", shard.getId(), chosen, e.getMessage());
        }
    }

    /** Waits until {@code node} has processed {@code offset}, or {@code deadlineNanos}; returns its offset then. */
    private long awaitOffset(String node, long offset, long deadlineNanos) {
        long reached = -1;
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            NodeReplication r = parts.nodes().replication(node, Duration.ofNanos(Math.max(1, Math.min(left,
                    parts.settings().nodeTimeout().toNanos()))));
            if (r.reachable()) {
                reached = r.offset();
            }
            if (reached >= offset || System.nanoTime() >= deadlineNanos) {
                return reached;
            }
            LockSupport.parkNanos(200_000);
            if (Thread.currentThread().isInterrupted()) {
                return reached;
            }
        }
    }

    private void unpause(String primary, Duration deadline) {
        try {
            parts.nodes().unpause(primary, deadline);
        } catch (CoordinatorException e) {
            log.warn("could not end the write pause of {} ({}); it ends by itself within {} s", primary,
                    e.getMessage(), PAUSE_MARGIN.toSeconds());
        }
    }
}
