package io.thoonk.coordinator.placement;

import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/** Chooses the shard for a new team: the active shard with the fewest teams per unit of weight (ties by id). */
final class LeastLoaded {

    private LeastLoaded() {
    }

    static Optional<Shard> among(List<Shard> shards, ToLongFunction<String> teamCount) {
        return shards.stream()
                .filter(s -> s.getState() == ShardState.SHARD_ACTIVE)
                .min(Comparator.<Shard>comparingDouble(s -> (double) teamCount.applyAsLong(s.getId())
                                / Math.max(1, s.getWeight()))
                        .thenComparing(Shard::getId));
    }
}
