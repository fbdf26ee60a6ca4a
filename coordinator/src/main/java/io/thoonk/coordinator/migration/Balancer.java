package io.thoonk.coordinator.migration;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plans the moves that even out a load across shards relative to their weights: a pure function of
 * its input, so the same loads give the same plan.
 *
 * <p>Greedy, one team at a time: the shard with the least load per unit of weight receives; the
 * most loaded shard that has a team whose move lowers the spread gives (the next most loaded when
 * that one has none). The team given is the one whose load is closest to what would even the two
 * shards out, ties by team id. A move is taken only when it lowers the sum over shards of
 * load² / weight, so the plan ends (each team moves at most once, too) and it stops as soon as no
 * single move helps: for equal weights and unit loads, when every shard is within one team of the
 * others. Teams of load 0 never move. With a {@code tolerance}, it also stops once the most and
 * least loaded shards are within it of each other (per unit of weight): measured loads are
 * estimates, and moving a team to gain less than their noise is a wasted move; for the same reason
 * a team whose move would shift the two shards' loads (per unit of weight) by less than the tolerance
 * is not moved at all.
 */
final class Balancer {

    private Balancer() {
    }

    /** A team that may move, with its load. */
    record Candidate(String team, double load) {
    }

    /**
     * A shard taking part: its weight (> 0), its whole load (teams that cannot move included) and
     * the teams that may move, in the order ties are broken (by team id).
     */
    record Bin(String shardId, int weight, double load, List<Candidate> movable) {
    }

    /** One planned move. */
    record Planned(String team, String sourceShardId, String targetShardId, double load) {
    }

    /**
     * The moves, in the order they were chosen; {@code bins} with distinct ids and weights > 0.
     *
     * @param tolerance a spread of load per unit of weight small enough to leave (0: none)
     */
    static List<Planned> plan(List<Bin> bins, double tolerance) {
        Map<String, Bin> byId = new LinkedHashMap<>();
        Map<String, Double> loads = new HashMap<>();
        Map<String, List<Candidate>> movable = new HashMap<>();
        for (Bin b : bins) {
            if (b.weight() <= 0) {
                throw new IllegalArgumentException("shard '" + b.shardId() + "' has weight " + b.weight()
                        + "; only shards of weight > 0 take part");
            }
            byId.put(b.shardId(), b);
            loads.put(b.shardId(), b.load());
            movable.put(b.shardId(), new ArrayList<>(b.movable().stream().filter(c -> c.load() > 0).toList()));
        }
        Comparator<String> byNormalizedLoad = Comparator.<String>comparingDouble(id -> loads.get(id) / byId.get(id)
                .weight()).thenComparing(id -> id);
        List<Planned> plan = new ArrayList<>();
        while (true) {
            List<String> order = byId.keySet().stream().sorted(byNormalizedLoad).toList();
            if (order.size() < 2) {
                return plan;
            }
            String target = order.get(0);
            String most = order.get(order.size() - 1);
            if (loads.get(most) / byId.get(most).weight() - loads.get(target) / byId.get(target).weight()
                    <= tolerance) {
                return plan;
            }
            Planned next = null;
            for (int i = order.size() - 1; i > 0 && next == null; i--) {
                next = best(order.get(i), target, loads, byId, movable, tolerance);
            }
            if (next == null) {
                return plan;
            }
            plan.add(next);
            loads.merge(next.sourceShardId(), -next.load(), Double::sum);
            loads.merge(next.targetShardId(), next.load(), Double::sum);
            String moved = next.team();
            movable.get(next.sourceShardId()).removeIf(c -> c.team().equals(moved));
        }
    }

    /** The source's team whose move to the target helps most, or null when none helps by more than the tolerance. */
    private static Planned best(String source, String target, Map<String, Double> loads, Map<String, Bin> bins,
                                Map<String, List<Candidate>> movable, double tolerance) {
        double ls = loads.get(source);
        double ld = loads.get(target);
        double ws = bins.get(source).weight();
        double wd = bins.get(target).weight();
        double ideal = (ls / ws - ld / wd) / (1 / ws + 1 / wd);
        double epsilon = 1e-9 * (1 + ls * ls / ws + ld * ld / wd);
        Candidate chosen = null;
        for (Candidate c : movable.get(source)) {
            double l = c.load();
            if (l / ws + l / wd < tolerance) {
                continue; // shifts the loads by less than their noise
            }
            double change = (l * l - 2 * ls * l) / ws + (l * l + 2 * ld * l) / wd;
            if (change < -epsilon && (chosen == null || Math.abs(l - ideal) < Math.abs(chosen.load() - ideal))) {
                chosen = c;
            }
        }
        return chosen == null ? null : new Planned(chosen.team(), source, target, chosen.load());
    }
}
