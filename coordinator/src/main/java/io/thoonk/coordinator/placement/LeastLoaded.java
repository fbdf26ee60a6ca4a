package io.thoonk.coordinator.placement;

import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Chooses the shard for a new team: among the active shards that take new teams (weight > 0), the
 * one with the fewest teams per unit of weight (ties by id). A DEGRADED shard (no live replica)
 * counts as active: it takes writes; a draining ({@link ShardStates#draining}) or FAILED one takes no
 * team. The same rule says
 * where a drained team goes and which shards a rebalance evens out.
 */
public final class LeastLoaded {

    private LeastLoaded() {
    }

    /** The shard among {@code shards} that takes new teams with the fewest teams per unit of weight. */
    public static Optional<Shard> among(List<Shard> shards, ToLongFunction<String> teamCount) {
        return shards.stream()
                .filter(LeastLoaded::takesNewTeams)
                .min(Comparator.<Shard>comparingDouble(s -> (double) teamCount.applyAsLong(s.getId()) / s.getWeight())
                        .thenComparing(Shard::getId));
    }

    /** Active (or degraded), not draining, with a weight above 0. */
    public static boolean takesNewTeams(Shard shard) {
        return active(shard) && shard.getWeight() > 0;
    }

    private static boolean active(Shard shard) {
        return (shard.getState() == ShardState.SHARD_ACTIVE || shard.getState() == ShardState.SHARD_DEGRADED)
                && !ShardStates.draining(shard);
    }

    /** Why no shard takes a new team, for a person: none is registered, none is active, or all weigh 0. */
    static String whyNone(List<Shard> shards) {
        if (shards.isEmpty()) {
            return "no shard is registered; register one (AddShard; thoonk admin add-shard)";
        }
        List<String> active = shards.stream().filter(LeastLoaded::active)
                .map(Shard::getId).toList();
        if (active.isEmpty()) {
            return "no shard is active";
        }
        return "every active shard has weight 0 and takes no new teams (" + String.join(", ", active)
                + "); register a shard with a weight > 0, or place the team on one explicitly (PlaceTeam; "
                + "thoonk admin place-team)";
    }
}
