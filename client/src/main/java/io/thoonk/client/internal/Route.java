package io.thoonk.client.internal;

import io.thoonk.client.Durability;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;

/**
 * Where a team's objects are right now: the shard's connections, the team epoch that scripts send
 * so the shard's fence can refuse a stale route (0 = send none, for a single Redis), the shard's id
 * (for messages), whether the directory names a live replica for it (what {@link Durability#AUTO}
 * becomes, and whether {@link Durability#REPLICATED} can be honoured), its state and why (for
 * messages), and whether the directory says a move has frozen the team ({@code TEAM_FROZEN}: the
 * move's end, a switch or a rollback, comes as the team's next directory change).
 */
record Route(ShardConnection shard, long epoch, String shardId, Replicas replicas, ShardState state,
             String stateReason, boolean teamFrozen) {

    /** What the directory says of the shard's replicas. */
    enum Replicas {
        /** At least one replica, and the shard is not degraded. */
        LIVE,
        /** No replica, or the shard is degraded (its replicas are down). */
        NONE,
        /** No directory (a single Redis): writes asking for replication wait for it and see. */
        UNKNOWN
    }

    /** Shard id of a single-Redis client's only shard. */
    static final String SINGLE = "single";

    /** The route of every team of a single Redis. */
    static Route single(ShardConnection shard) {
        return new Route(shard, 0, SINGLE, Replicas.UNKNOWN, ShardState.SHARD_ACTIVE, "", false);
    }

    /** The route of {@code placement} on {@code shard} (directory records) through {@code connection}. */
    static Route of(ShardConnection connection, TeamPlacement placement, Shard shard) {
        boolean live = shard.getReplicasCount() > 0 && shard.getState() != ShardState.SHARD_DEGRADED
                && shard.getState() != ShardState.SHARD_FAILED;
        return new Route(connection, placement.getEpoch(), shard.getId(), live ? Replicas.LIVE : Replicas.NONE,
                shard.getState(), shard.getStateReason(), placement.getState() == TeamState.TEAM_FROZEN);
    }

    /**
     * What a call that got no answer should be told of the shard: when the directory says it is
     * {@code SHARD_FAILED} (its primary down, nothing to promote), that and why; else nothing.
     */
    String failure() {
        return state == ShardState.SHARD_FAILED ? "shard '" + shardId + "' is SHARD_FAILED: " + stateReason : "";
    }

    /** ARGV[3] of the scripts. */
    String epochArgument() {
        return epoch <= 0 ? "" : Long.toString(epoch);
    }

    /** What {@code asked} means on this route: {@link Durability#AUTO} resolved (never AUTO). */
    Durability effective(Durability asked) {
        if (asked != Durability.AUTO) {
            return asked;
        }
        return replicas == Replicas.LIVE ? Durability.REPLICATED : Durability.PRIMARY;
    }
}
