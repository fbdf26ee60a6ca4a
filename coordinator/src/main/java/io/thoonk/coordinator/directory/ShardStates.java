package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;

import java.util.Objects;
import java.util.Set;

/**
 * The one place that says how a shard record's state and its draining mark go together, so that
 * every rewrite of a record (a promotion, the failover upkeep, a drain) keeps what it does not
 * decide. Two things are stored: how the shard's nodes are ({@code ACTIVE}, {@code DEGRADED},
 * {@code FAILED}: what failovers decide) and whether it drains ({@code draining}: what
 * {@code DrainShard} and {@code UndrainShard} decide). The record's state shows both:
 * {@code SHARD_DRAINING} for a draining shard whose nodes are well, the nodes' state otherwise.
 */
public final class ShardStates {

    /** The states a failover or the upkeep gives a shard. */
    private static final Set<ShardState> NODE_STATES = Set.of(ShardState.SHARD_ACTIVE, ShardState.SHARD_DEGRADED,
            ShardState.SHARD_FAILED);
    private static final String DRAINING_AGAIN = "draining (DrainShard); its nodes are well again";

    private ShardStates() {
    }

    /**
     * Whether the shard drains: it takes no new team and is no move's target. (A record written
     * before the mark existed says so by its state alone.)
     */
    public static boolean draining(Shard shard) {
        return shard.getDraining() || shard.getState() == ShardState.SHARD_DRAINING;
    }

    /**
     * {@code shard} with its nodes in {@code nodes} (ACTIVE, DEGRADED or FAILED) and
     * {@code reason} (for DEGRADED and FAILED), its draining mark kept: a draining shard whose
     * nodes are ACTIVE is SHARD_DRAINING.
     */
    public static Shard withNodes(Shard shard, ShardState nodes, String reason) {
        Objects.requireNonNull(reason, "reason == null");
        if (!NODE_STATES.contains(nodes)) {
            throw new IllegalArgumentException("a shard's nodes are ACTIVE, DEGRADED or FAILED, not " + nodes);
        }
        boolean draining = draining(shard);
        Shard.Builder next = shard.toBuilder().setDraining(draining);
        if (nodes == ShardState.SHARD_ACTIVE && draining) {
            boolean wasDraining = shard.getState() == ShardState.SHARD_DRAINING;
            return next.setState(ShardState.SHARD_DRAINING)
                    .setStateReason(wasDraining ? shard.getStateReason() : DRAINING_AGAIN).build();
        }
        return next.setState(nodes).setStateReason(reason).build();
    }

    /** {@code shard} marked draining; its nodes' state stays (ACTIVE shows as SHARD_DRAINING with {@code reason}). */
    public static Shard drain(Shard shard, String reason) {
        Shard.Builder next = shard.toBuilder().setDraining(true);
        if (shard.getState() == ShardState.SHARD_ACTIVE) {
            next.setState(ShardState.SHARD_DRAINING).setStateReason(reason);
        }
        return next.build();
    }

    /** {@code shard} without the draining mark; its nodes' state stays (SHARD_DRAINING becomes SHARD_ACTIVE). */
    public static Shard undrain(Shard shard) {
        Shard.Builder next = shard.toBuilder().setDraining(false);
        if (shard.getState() == ShardState.SHARD_DRAINING) {
            next.setState(ShardState.SHARD_ACTIVE).clearStateReason();
        }
        return next.build();
    }

    /** For a person: {@code SHARD_DEGRADED, draining}, {@code SHARD_DRAINING}, {@code SHARD_ACTIVE}. */
    public static String describe(Shard shard) {
        boolean extra = draining(shard) && shard.getState() != ShardState.SHARD_DRAINING;
        return shard.getState() + (extra ? ", draining" : "");
    }
}
