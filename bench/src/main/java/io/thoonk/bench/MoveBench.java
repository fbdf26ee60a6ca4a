package io.thoonk.bench;

import io.thoonk.client.ThoonkOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;

/**
 * How long a team's writes pause, and how long either Redis stalls, while the team moves from one
 * shard to another under a steady writer: this cluster's online move against Redis {@code MIGRATE} of
 * the same keys, in the same run (issue 11). Teams of 100, 10,000 and 100,000 items over four feeds,
 * and a team holding one feed of 1,000,000 items. Every round starts fresh processes
 * ({@link MoveRound}); each round runs every case once with every measurable system, starting with
 * the next system each round. Systems that cannot be measured yet ({@link MoveSystem#notMeasuredBecause})
 * are listed with the reason instead of figures.
 */
final class MoveBench implements Benchmark {

    /** The target: the 10,000-item team's write pause p99, below this (ms). */
    static final double PAUSE_P99_TARGET_MS = 100;
    /** The target: no Redis stall over this (ms), at any size, on source or target. */
    static final double STALL_TARGET_MS = 50;
    static final int FEEDS = 4;

    /** One configuration measured: a system moving a team of one shape. */
    record Case(MoveSystem system, MoveCase shape) {
        String label() {
            return system.name() + ", " + shape.label();
        }
    }

    private final BenchConfig config;
    private final MoveSystem thoonk = new ThoonkMove();
    private final MoveSystem migrate = new MigrateMove();

    MoveBench(BenchConfig config) {
        this.config = config;
    }

    @Override
    public String key() {
        return "moves";
    }

    /** The sizes; a quick run moves a hundredth of them (the pause target on the second). */
    private List<MoveCase> shapes() {
        if (config.equals(BenchConfig.quick())) {
            return List.of(MoveCase.team(100, FEEDS, false), MoveCase.team(1_000, FEEDS, true),
                    MoveCase.team(10_000, FEEDS, false), MoveCase.bigObject(10_000));
        }
        return List.of(MoveCase.team(100, FEEDS, false), MoveCase.team(10_000, FEEDS, true),
                MoveCase.team(100_000, FEEDS, false), MoveCase.bigObject(1_000_000));
    }

    @Override
    public Section run() throws Exception {
        try (thoonk; migrate) {
            List<MoveSystem> systems = List.of(thoonk, migrate);
            List<MoveSystem> measurable = systems.stream().filter(s -> s.notMeasuredBecause().isEmpty()).toList();
            Map<Case, List<MoveRound.Result>> results = new LinkedHashMap<>();
            for (MoveCase shape : shapes()) {
                systems.forEach(s -> results.put(new Case(s, shape), new ArrayList<>()));
            }
            List<String[]> runOrder = new ArrayList<>();
            List<MoveRound.Result> raw = new ArrayList<>();
            System.out.printf("%n== moves: %d rounds of %d case(s) with %d system(s)%n", config.moveRounds(),
                    shapes().size(), measurable.size());
            long start = System.nanoTime();
            String loadAtStart = Machine.loadAverage();
            int team = 0;
            for (int r = 0; r < config.moveRounds(); r++) {
                for (MoveCase shape : shapes()) {
                    for (int k = 0; k < measurable.size(); k++) {
                        MoveSystem system = measurable.get((r + k) % measurable.size());
                        MoveRound.Result result = runOrFail(system, shape, "move" + team++);
                        System.out.printf("  round %d  %-50s %s%n", r + 1, system.name() + ", " + shape.label(),
                                result.figures());
                        results.get(new Case(system, shape)).add(result);
                        runOrder.add(new String[]{Integer.toString(r + 1), system.name(), shape.label()});
                        raw.add(result);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String load = loadAtStart + "; at the end: " + Machine.loadAverage();
            return report -> report(report, results, runOrder, raw, seconds, load);
        }
    }

    /** A round, or its failure (the benchmark goes on with the next round; the report says why). */
    private static MoveRound.Result runOrFail(MoveSystem system, MoveCase shape, String team) {
        try {
            return MoveRound.run(system, shape, team);
        } catch (Exception e) {
            System.out.printf("  %s, %s, team %s failed: %s%n", system.name(), shape.label(), team, e);
            return MoveRound.Result.failed(shape, e);
        }
    }

    private static long failures(List<MoveRound.Result> rounds) {
        return rounds.stream().filter(r -> r.failure().isPresent()).count();
    }

    private void report(Report report, Map<Case, List<MoveRound.Result>> results, List<String[]> runOrder,
                        List<MoveRound.Result> raw, double seconds, String load) {
        report.section("Team moves: write pause and Redis stalls")
                .paragraph("Each round starts fresh processes on loopback: a source and a target Redis "
                        + "(`redis-server`; for the Thoonk cluster each is a shard of a primary and one replica, as in production, "
                        + "and the stalls are the primaries') and the system's client. The team is written through "
                        + "that client into the source: " + FEEDS + " feeds of equal size, or one feed (the big "
                        + "object), " + Payload.BYTES + "-byte items, each published once with its own id, "
                        + TeamLoader.WINDOW + " publishes in flight (**team MB**: the source's `used_memory` "
                        + "growth). Then a writer publishes " + MoveRound.RATE + " items/s to the team through the "
                        + "same client, on one thread, open loop (the next publish goes out on schedule whether or "
                        + "not earlier ones were answered), each replacing one of the first feed's items "
                        + "(`i0`..`i" + (MoveRound.EDIT_IDS - 1) + "` in turn: a publish with an existing id, so the "
                        + "team keeps its size); after " + MoveRound.WARMUP.toMillis() + " ms unmeasured and "
                        + MoveRound.BEFORE.toSeconds() + " s measured, the team is moved, and the writer goes on "
                        + MoveRound.AFTER.toMillis() + " ms after the move ends. **move**: the move's duration, "
                        + "from listing the team's keys until the source's copy is gone. **write pause p99/max**: "
                        + "percentiles of the latency (issue to acknowledgement) of the publishes in flight at any "
                        + "moment of the move (a publish that fails, e.g. after the client's "
                        + ThoonkOptions.DEFAULT_COMMAND_TIMEOUT.toSeconds() + " s deadline, is counted in **failed "
                        + "writes** instead); "
                        + "**ack gap**: the longest time without an acknowledgement, from the last one before "
                        + "the move to the first one after it; **reported pause**: how long the system itself "
                        + "says the team's writes were paused (the move's `write_pause_millis`). **Longest "
                        + "stall**: each Redis's latency monitor (`CONFIG SET latency-monitor-threshold "
                        + RedisStalls.THRESHOLD_MS + "`), reset when the move starts, read "
                        + "when it ends (`LATENCY LATEST`, longest event: a command, a script call, an expiry "
                        + "cycle...; wall time, so a Redis process the busy machine leaves without a core counts "
                        + "too). The same measures over the "
                        + MoveRound.BEFORE.toSeconds() + " s before the move, in the same round, are the "
                        + "reference. After the move the target must hold every item and the source none of the "
                        + "feeds the writer did not write to, or the round fails. Medians over the rounds; the "
                        + "targets are judged on the worst round.")
                .paragraph("**MIGRATE** (the baseline): one `MIGRATE host port \"\" 0 "
                        + MigrateMove.MIGRATE_TIMEOUT_MS + " KEYS ...` of every key of the team (each object's "
                        + "keys from the team's object index, the index and the team's fence), sent by a separate "
                        + "connection; the client is `Thoonk.connect` to the source, which has no routing: "
                        + "MIGRATE serialises, sends, waits for the target's `RESTORE`s and deletes the keys "
                        + "within one command, during which the source answers nothing, so the writer's pause is "
                        + "the source's stall (the writes after it go to the source again: a real switch would "
                        + "add its own pause). The source's stall is that of all the team's keys in one command; "
                        + "key by key (as `redis-cli --cluster reshard` moves keys) it would be the largest key's, "
                        + "which for the big object is most of it: a feed is three keys of one element per item "
                        + "(the items hash, the ids sorted set, the item revisions hash) and a history stream. The "
                        + "issue's anchor, MIGRATE of one 1,000,000-field hash of 48 MB, blocked the source for "
                        + "1.9 s and the target for 0.8 s. **Thoonk cluster**: a LocalCluster of two shards (a primary and "
                        + ThoonkMove.REPLICAS + " replica each: the move waits for the target's replica (`WAIT 1`) before "
                        + "it switches, and the client's default durability, AUTO, waits for the source's replica behind "
                        + "every write) and " + ThoonkMove.COORDINATORS + " coordinators, the team placed on one shard "
                        + "(`Admin.PlaceTeam`) before it is written, `Admin.MoveTeam` to the other through "
                        + "gRPC (its progress stream read to the end), the routing client "
                        + "(`Thoonk.connectCluster`) loading and writing.");
        List<List<String>> rows = new ArrayList<>();
        results.forEach((c, rounds) -> rows.add(row(c, rounds)));
        report.table(List.of("system", "case", "items", "team MB", "move ms", "write pause p99 ms",
                "write pause max ms", "ack gap ms", "reported pause ms", "longest stall source ms",
                "longest stall target ms", "rounds"), rows);
        List<String> failedRounds = new ArrayList<>();
        results.forEach((c, rounds) -> rounds.forEach(r -> r.failure().ifPresent(why ->
                failedRounds.add(c.label() + ": " + why))));
        if (!failedRounds.isEmpty()) {
            report.paragraph("Failed rounds (no figures; a failed case misses its targets): "
                    + String.join("; ", failedRounds) + ".");
        }
        List<List<String>> reference = new ArrayList<>();
        results.forEach((c, rounds) -> {
            if (c.system().notMeasuredBecause().isEmpty()) {
                reference.add(referenceRow(c, rounds));
            }
        });
        report.paragraph("Publish latency before the move and during it, and the longest stalls before it, in "
                + "the same rounds (medians):")
                .table(List.of("system", "case", "before p50 / p99 / max ms", "during p50 / p99 / max ms",
                        "writes during", "failed writes", "stall before source / target ms"), reference);
        targets(report, results);
        report.paragraph(String.format(Locale.ROOT, "%d rounds in %.0f s; load average (1/5/15 min) at their start: "
                + "%s (the machine is shared: the reference figures before each move show its noise). Raw rounds (in "
                + "run order):", raw.size(), seconds, load));
        List<String> metrics = List.of(MoveRound.ITEMS, MoveRound.TEAM_MB, MoveRound.LOAD, MoveRound.MOVE,
                MoveRound.REPORTED_PAUSE, MoveRound.BEFORE_P50, MoveRound.BEFORE_P99, MoveRound.BEFORE_MAX,
                MoveRound.DURING_P50, MoveRound.DURING_P99, MoveRound.DURING_MAX, MoveRound.DURING_WRITES,
                MoveRound.GAP, MoveRound.FAILED, MoveRound.STALL_SOURCE, MoveRound.STALL_TARGET);
        List<String> header = new ArrayList<>(List.of("round", "system", "case"));
        header.addAll(metrics);
        header.add("longest events");
        List<List<String>> rawRows = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            List<String> r = new ArrayList<>(List.of(runOrder.get(i)));
            Metrics m = raw.get(i).figures();
            metrics.forEach(k -> r.add(Report.number(m.get(k))));
            r.add(raw.get(i).stalls());
            rawRows.add(r);
        }
        report.table(header, rawRows);
    }

    private static List<String> row(Case c, List<MoveRound.Result> rounds) {
        List<String> r = new ArrayList<>(List.of(c.system().name(), c.shape().label(),
                Report.number(c.shape().items())));
        Optional<String> why = c.system().notMeasuredBecause();
        if (why.isPresent()) {
            r.addAll(List.of(why.get(), "", "", "", "", "", "", "", "0"));
            return r;
        }
        for (String metric : List.of(MoveRound.TEAM_MB, MoveRound.MOVE, MoveRound.DURING_P99, MoveRound.DURING_MAX,
                MoveRound.GAP, MoveRound.REPORTED_PAUSE, MoveRound.STALL_SOURCE, MoveRound.STALL_TARGET)) {
            r.add(Report.number(median(rounds, m -> m.get(metric))));
        }
        long failed = failures(rounds);
        r.add(rounds.size() + (failed == 0 ? "" : " (" + failed + " failed)"));
        return r;
    }

    private static List<String> referenceRow(Case c, List<MoveRound.Result> rounds) {
        return List.of(c.system().name(), c.shape().label(),
                triple(rounds, MoveRound.BEFORE_P50, MoveRound.BEFORE_P99, MoveRound.BEFORE_MAX),
                triple(rounds, MoveRound.DURING_P50, MoveRound.DURING_P99, MoveRound.DURING_MAX),
                Report.number(median(rounds, m -> m.get(MoveRound.DURING_WRITES))),
                Report.number(median(rounds, m -> m.get(MoveRound.FAILED))),
                Report.number(median(rounds, m -> m.get(MoveRound.STALL_SOURCE_BEFORE))) + " / "
                        + Report.number(median(rounds, m -> m.get(MoveRound.STALL_TARGET_BEFORE))));
    }

    private static String triple(List<MoveRound.Result> rounds, String... metrics) {
        List<String> parts = new ArrayList<>();
        for (String metric : metrics) {
            parts.add(Report.number(median(rounds, m -> m.get(metric))));
        }
        return String.join(" / ", parts);
    }

    private static double median(List<MoveRound.Result> rounds, ToDoubleFunction<Metrics> figure) {
        return Metrics.median(rounds.stream().map(MoveRound.Result::figures).toList(), figure);
    }

    /** The worst round's figure over every round of {@code system} ({@code shape} only, when given). */
    private static double worst(Map<Case, List<MoveRound.Result>> results, MoveSystem system,
                                Optional<MoveCase> shape, ToDoubleFunction<Metrics> figure) {
        return results.entrySet().stream()
                .filter(e -> e.getKey().system() == system && shape.map(e.getKey().shape()::equals).orElse(true))
                .flatMap(e -> e.getValue().stream())
                .mapToDouble(r -> figure.applyAsDouble(r.figures()))
                .filter(v -> !Double.isNaN(v))
                .max().orElse(Double.NaN);
    }

    private void targets(Report report, Map<Case, List<MoveRound.Result>> results) {
        Optional<MoveCase> pauseCase = shapes().stream().filter(MoveCase::pauseTarget).findFirst();
        List<List<String>> rows = new ArrayList<>();
        pauseCase.ifPresent(shape -> rows.add(targetRow("write pause p99, " + shape.label() + " (worst round)",
                "< " + Report.number(PAUSE_P99_TARGET_MS) + " ms", results, Optional.of(shape),
                m -> m.get(MoveRound.DURING_P99), v -> v < PAUSE_P99_TARGET_MS)));
        rows.add(targetRow("longest Redis stall, source or target, any case (worst round)",
                "<= " + Report.number(STALL_TARGET_MS) + " ms", results, Optional.empty(),
                m -> Math.max(m.get(MoveRound.STALL_SOURCE), m.get(MoveRound.STALL_TARGET)),
                v -> v <= STALL_TARGET_MS));
        report.table(List.of("target (Thoonk cluster)", "goal", "measured", "result", "MIGRATE, same measure"), rows);
    }

    private List<String> targetRow(String what, String goal, Map<Case, List<MoveRound.Result>> results,
                                   Optional<MoveCase> shape, ToDoubleFunction<Metrics> figure,
                                   DoublePredicate met) {
        double baseline = worst(results, migrate, shape, figure);
        String baselineText = Double.isNaN(baseline) ? "n/a"
                : Report.number(baseline) + " ms (" + (met.test(baseline) ? "within" : "outside") + " the goal)";
        Optional<String> why = thoonk.notMeasuredBecause();
        if (why.isPresent()) {
            return List.of(what, goal, why.get(), "-", baselineText);
        }
        double measured = worst(results, thoonk, shape, figure);
        long failed = results.entrySet().stream()
                .filter(e -> e.getKey().system() == thoonk && shape.map(e.getKey().shape()::equals).orElse(true))
                .mapToLong(e -> failures(e.getValue())).sum();
        String text = Report.number(measured) + " ms" + (failed == 0 ? "" : " (" + failed + " round(s) failed)");
        return List.of(what, goal, text, "**" + (failed == 0 && met.test(measured) ? "PASS" : "MISS") + "**",
                baselineText);
    }
}
