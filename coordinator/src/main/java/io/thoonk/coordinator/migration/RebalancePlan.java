package io.thoonk.coordinator.migration;

import io.thoonk.proto.v1.PlannedMove;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.ShardLoad;

import java.util.List;
import java.util.Objects;

/**
 * What a rebalance would do ({@link Rebalancer#plan}): the moves in the order they run, and every
 * shard's load before and as planned after, sorted by shard id.
 *
 * @param strategy the load that is evened out (never {@code UNSPECIFIED})
 * @param moves    the moves; empty when the load is as even as single moves make it
 * @param before   every shard's load as measured
 * @param after    every shard's load once the moves are done: teams always; memory and rate as
 *                 planned under their own strategy, as measured otherwise
 */
public record RebalancePlan(RebalanceStrategy strategy, List<PlannedMove> moves, List<ShardLoad> before,
                            List<ShardLoad> after) {

    public RebalancePlan {
        Objects.requireNonNull(strategy, "strategy == null");
        moves = List.copyOf(moves);
        before = List.copyOf(before);
        after = List.copyOf(after);
    }
}
