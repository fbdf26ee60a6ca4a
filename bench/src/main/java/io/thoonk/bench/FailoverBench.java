package io.thoonk.bench;

import io.thoonk.client.Durability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long writes stop, and how many acknowledged writes are lost, when a primary fails: this cluster
 * against Redis Sentinel in the same run, at the same detection settings, under {@code kill -9} and a
 * 4 s SIGSTOP of the primary (issue 10). Every round starts fresh processes ({@link FailoverRound});
 * each round runs every measurable case once, starting with the next case each round, so noise on the
 * machine hits all alike. Then publish throughput with REPLICATED against PRIMARY durability.
 */
final class FailoverBench implements Benchmark {

    /** Thoonk's resume time over Sentinel's at the same detection setting and fault, at most. */
    static final double TARGET_RATIO = 0.6;
    /** Thoonk's resume time under kill -9 at 500 ms detection, at most (0.6x Sentinel's 1.8 s in the issue). */
    static final double TARGET_RESUME_SECONDS_AT_500 = 1.1;
    /** Publish throughput with REPLICATED over PRIMARY durability, at least. */
    static final double DURABILITY_TARGET = 0.8;

    /** One configuration measured: a system at a detection setting under a fault. */
    record Case(FailoverSystem system, Duration detection, Fault fault) {
        String label() {
            return system.name() + ", " + detection.toMillis() + " ms, " + fault.label();
        }
    }

    private final BenchConfig config;
    private final ThoonkFailover thoonk = new ThoonkFailover(Durability.AUTO);
    private final ThoonkFailover unreplicatedThoonk = new ThoonkFailover(Durability.PRIMARY);
    private final SentinelFailover sentinel = new SentinelFailover(0);
    private final SentinelFailover guardedSentinel = new SentinelFailover(1);

    FailoverBench(BenchConfig config) {
        this.config = config;
    }

    @Override
    public String key() {
        return "failover";
    }

    /**
     * Both systems at 500 and 1000 ms, each fault; Sentinel with {@code min-replicas-to-write 1} under
     * SIGSTOP at 500 ms only (under kill -9 its new primary has no replica left and refuses every write);
     * this cluster with PRIMARY durability at 500 ms, each fault (what it may lose). A quick run: kill -9
     * at 500 ms.
     */
    private List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        boolean quick = config.equals(BenchConfig.quick());
        for (long ms : quick ? List.of(500L) : List.of(500L, 1000L)) {
            for (Fault fault : quick ? List.of(Fault.KILL) : List.of(Fault.values())) {
                Duration detection = Duration.ofMillis(ms);
                cases.add(new Case(thoonk, detection, fault));
                cases.add(new Case(sentinel, detection, fault));
            }
        }
        if (!quick) {
            cases.add(new Case(guardedSentinel, Duration.ofMillis(500), Fault.PAUSE));
            for (Fault fault : Fault.values()) {
                cases.add(new Case(unreplicatedThoonk, Duration.ofMillis(500), fault));
            }
        }
        return cases;
    }

    @Override
    public Section run() throws Exception {
        try (thoonk; unreplicatedThoonk; sentinel; guardedSentinel) {
            List<Case> cases = cases();
            Map<Case, List<Metrics>> results = new LinkedHashMap<>();
            cases.forEach(c -> results.put(c, new ArrayList<>()));
            List<String[]> runOrder = new ArrayList<>();
            List<Metrics> raw = new ArrayList<>();
            System.out.printf("%n== failover: %d rounds of %d case(s)%n", config.failoverRounds(), cases.size());
            long start = System.nanoTime();
            for (int r = 0; r < config.failoverRounds(); r++) {
                for (int k = 0; k < cases.size(); k++) {
                    Case c = cases.get((r + k) % cases.size());
                    Metrics m = FailoverRound.run(c.system(), c.detection(), c.fault());
                    System.out.printf("  round %d  %-62s %s%n", r + 1, c.label(), m);
                    results.get(c).add(m);
                    runOrder.add(new String[]{Integer.toString(r + 1), c.system().name(),
                            c.detection().toMillis() + " ms", c.fault().label()});
                    raw.add(m);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long durabilityStart = System.nanoTime();
            Comparison durability = durability();
            double durabilitySeconds = (System.nanoTime() - durabilityStart) / 1e9;
            return report -> report(report, results, runOrder, raw, durability, seconds, durabilitySeconds);
        }
    }

    private Comparison durability() throws Exception {
        List<Variant> variants = thoonk.durabilityVariants(config);
        return Comparison.run("publish durability", variants, config.warmups(), config.rounds(),
                thoonk.durabilityResources());
    }

    private void report(Report report, Map<Case, List<Metrics>> results, List<String[]> runOrder, List<Metrics> raw,
                        Comparison durability, double seconds, double durabilitySeconds) {
        report.section("Failover: writes resuming and acknowledged writes lost")
                .paragraph("Each round starts fresh processes on loopback: a primary and one replica (`redis-server`), "
                        + "the system's failure detection, and its client; a writer sends " + FailoverRound.RATE
                        + " writes/s on one thread, open loop (the next write goes out on schedule whether or not "
                        + "earlier ones were answered, as the issue's client publishing 2,000 items/s to one team: a "
                        + "fixed rate puts the same writes in flight during every outage, so lost-write counts compare), "
                        + "each a unique sequence number, each with a " + FailoverRound.WRITE_TIMEOUT.toSeconds()
                        + " s deadline (the Thoonk client's default). Once " + FailoverRound.RATE + " writes are "
                        + "acknowledged, the primary gets the fault: `kill -9`, or SIGSTOP for "
                        + Fault.PAUSE_LENGTH.toSeconds() + " s then SIGCONT (the writer keeps writing to it). The writer "
                        + "goes on until the system has settled (its detection names one primary, every live node "
                        + "replicates from it with its link up) and has acknowledged a write issued after that; then "
                        + "the final primary is read. **resume**: time from the fault to the first acknowledgement of "
                        + "a write issued after the fault that the final primary holds (writes issued before the fault "
                        + "and acknowledged late do not count, nor do acknowledgements of a stale primary that are then "
                        + "dropped); **first ack**: the same for any acknowledgement, kept or not; **lost**: "
                        + "acknowledged writes missing from the final primary. Median [min-max] over the rounds.")
                .paragraph("Redis Sentinel: three Sentinels (`redis-server sentinel.conf --sentinel`, quorum 2), "
                        + "`down-after-milliseconds` = the detection setting, `failover-timeout "
                        + SentinelFailover.FAILOVER_TIMEOUT_MS + "`, `parallel-syncs 1`; the client is Lettuce through "
                        + "the Sentinels (`RedisURI.Builder.sentinel`: it asks them for the master on every (re)connect), "
                        + "reconnecting every " + SentinelFailover.RECONNECT_MS + " ms (its default backoff grows to "
                        + "seconds), `RPUSH` of the sequence number to one list. A stopped primary keeps the client's "
                        + "connection open: the client goes on writing to it, and after SIGCONT it acknowledges writes "
                        + "until Sentinel turns it into a replica (Sentinel waits 8 s after seeing it claim the master role, "
                        + "and looks every 10 s) and closes its clients' connections. With `min-replicas-to-write 1` the "
                        + "returning old primary refuses writes (its replica link is gone), and the new primary takes "
                        + "writes only once the old one replicates from it. Sentinel under kill -9 is not run with "
                        + "`min-replicas-to-write 1`: its new primary has no replica left and refuses every write.")
                .paragraph("Thoonk cluster: `LocalCluster.builder().coordinators(" + ThoonkFailover.COORDINATORS
                        + ").shards(1).replicasPerShard(1).coordinatorSettings(b -> b.downAfter(detection)).start()`: "
                        + "a ZooKeeper server and " + ThoonkFailover.COORDINATORS + " coordinators in this JVM (one "
                        + "Hazelcast cluster), each probing both nodes every 100 ms (the default); the leader promotes "
                        + "the replica once a majority has seen the primary unreachable for `down-after` = the "
                        + "detection setting, and the directory's Watch tells the client. Before the fault every "
                        + "coordinator has probed both nodes, the shard is ACTIVE and its primary runs "
                        + "`min-replicas-to-write 1` (set by the leader). The client is the routing client "
                        + "(`Thoonk.connectCluster`, command timeout " + FailoverRound.WRITE_TIMEOUT.toSeconds()
                        + " s) publishing item n under id n to one feed of one team (`feed.withDurability(d).async()"
                        + ".publish(n, n)`); the final primary's feed ids (`feed.ids:`) are what it holds. **Thoonk "
                        + "cluster** writes with durability " + thoonk.durabilityLabel() + ", the client's default: "
                        + "acknowledged once `WAIT 1` confirms a replica has the write while the directory names a "
                        + "live replica, once the primary has it when it names none. So every write acknowledged "
                        + "before the fault is on the replica; after `kill -9` the promoted replica has no live "
                        + "replica (the shard is DEGRADED), where REPLICATED would refuse every write until one "
                        + "returns, as Sentinel with `min-replicas-to-write 1` does. **"
                        + unreplicatedThoonk.name() + "** (500 ms only): every write acknowledged by the primary "
                        + "alone, what skipping the `WAIT` may lose.");;
        List<List<String>> rows = new ArrayList<>();
        results.forEach((c, rounds) -> rows.add(row(c, rounds, results)));
        report.table(List.of("system", "detection", "fault", "resume s", "first ack s", "lost acknowledged writes",
                "settled s", "rounds", "resume vs Sentinel"), rows);
        targets(report, results);
        phases(report, results);
        durability(report, durability);
        report.paragraph(String.format(Locale.ROOT, "%d failover rounds in %.0f s, the throughput comparison in "
                + "%.0f s. Raw rounds (in run order; times in ms from the fault; the Thoonk cluster's phases as in "
                + "the table above):", raw.size(), seconds, durabilitySeconds));
        List<String> metrics = new ArrayList<>(List.of(FailoverRound.RESUME, FailoverRound.FIRST_ACK,
                FailoverRound.SETTLED, FailoverRound.WRITES, FailoverRound.ACKED, FailoverRound.FAILED,
                FailoverRound.LOST, ThoonkFailover.FAILOVERS));
        metrics.addAll(ThoonkFailover.PHASES);
        List<String> header = new ArrayList<>(List.of("round", "system", "detection", "fault"));
        header.addAll(metrics);
        List<List<String>> rawRows = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            List<String> r = new ArrayList<>(List.of(runOrder.get(i)));
            Map<String, Double> m = raw.get(i).asMap();
            metrics.forEach(k -> r.add(m.containsKey(k) ? Report.number(m.get(k)) : ""));
            rawRows.add(r);
        }
        report.table(header, rawRows);
    }

    private List<String> row(Case c, List<Metrics> rounds, Map<Case, List<Metrics>> results) {
        List<String> r = new ArrayList<>(List.of(c.system().name(), c.detection().toMillis() + " ms", c.fault().label()));
        r.add(spread(rounds, FailoverRound.RESUME, 1e-3));
        r.add(spread(rounds, FailoverRound.FIRST_ACK, 1e-3));
        r.add(spread(rounds, FailoverRound.LOST, 1));
        r.add(spread(rounds, FailoverRound.SETTLED, 1e-3));
        r.add(Integer.toString(rounds.size()));
        r.add(c.system() == sentinel ? "" : Report.ratio(vsSentinel(c, results)));
        return r;
    }

    /** Resume median of {@code c} over Sentinel's at the same detection setting and fault. */
    private double vsSentinel(Case c, Map<Case, List<Metrics>> results) {
        List<Metrics> baseline = results.get(new Case(sentinel, c.detection(), c.fault()));
        if (baseline == null || baseline.isEmpty()) {
            return Double.NaN;
        }
        return Metrics.median(results.get(c), FailoverRound.RESUME) / Metrics.median(baseline, FailoverRound.RESUME);
    }

    /** {@code median [min-max]} of a metric, scaled (ms to s: 1e-3); rounds without it (NaN) are n/a. */
    private static String spread(List<Metrics> rounds, String metric, double scale) {
        List<Double> values = rounds.stream().map(m -> m.asMap().getOrDefault(metric, Double.NaN)).toList();
        if (values.isEmpty()) {
            return "";
        }
        long missing = values.stream().filter(v -> v.isNaN()).count();
        List<Double> present = values.stream().filter(v -> !v.isNaN()).sorted().toList();
        String text = present.isEmpty() ? "n/a" : String.format(Locale.ROOT, "%s [%s-%s]",
                Report.number(Stats.median(present) * scale), Report.number(present.get(0) * scale),
                Report.number(present.get(present.size() - 1) * scale));
        return missing == 0 ? text : text + " (n/a in " + missing + ")";
    }

    private void targets(Report report, Map<Case, List<Metrics>> results) {
        List<List<String>> rows = new ArrayList<>();
        results.forEach((c, rounds) -> {
            if (c.system() != thoonk) {
                return;
            }
            String setting = c.detection().toMillis() + " ms, " + c.fault().label();
            double ratio = vsSentinel(c, results);
            double lost = rounds.stream().mapToDouble(m -> m.get(FailoverRound.LOST)).sum();
            rows.add(List.of("resume vs Sentinel, " + setting, "<= " + Report.ratio(TARGET_RATIO), Report.ratio(ratio),
                    verdict(ratio <= TARGET_RATIO)));
            if (hasAbsoluteTarget(c)) {
                double resume = Metrics.median(rounds, FailoverRound.RESUME) / 1000;
                rows.add(List.of("resume, " + setting, "<= " + TARGET_RESUME_SECONDS_AT_500 + " s",
                        Report.number(resume) + " s", verdict(resume <= TARGET_RESUME_SECONDS_AT_500)));
            }
            rows.add(List.of("lost acknowledged writes, " + setting, "0", Report.number(lost) + " in " + rounds.size()
                    + " rounds", verdict(lost == 0)));
        });
        report.table(List.of("target (Thoonk cluster)", "goal", "measured", "result"), rows);
    }

    /**
     * Where the Thoonk cluster's resume time goes: the phases its leader recorded (median per case, ms
     * from the fault), and the rest of the resume time, the client's (noticing the new primary and
     * getting a write acknowledged there).
     */
    private void phases(Report report, Map<Case, List<Metrics>> results) {
        List<List<String>> rows = new ArrayList<>();
        results.forEach((c, rounds) -> {
            if (!(c.system() instanceof ThoonkFailover)) {
                return;
            }
            List<String> r = new ArrayList<>(List.of(c.system().name(), c.detection().toMillis() + " ms",
                    c.fault().label()));
            ThoonkFailover.PHASES.forEach(p -> r.add(Report.number(Metrics.median(rounds, p))));
            r.add(Report.number(Metrics.median(rounds, FailoverRound.RESUME)));
            r.add(Report.number(Metrics.median(rounds, m -> m.asMap().getOrDefault(FailoverRound.RESUME, Double.NaN)
                    - m.asMap().getOrDefault(ThoonkFailover.PUBLISHED, Double.NaN))));
            rows.add(r);
        });
        report.paragraph("Where the Thoonk cluster's time goes (median over the rounds, ms from the fault), from the "
                + "failover record its leader writes (`Admin.Status`, `recent_failovers`): **first down probe**, the "
                + "first probe of any coordinator that found the primary unreachable; **detected**, a majority had "
                + "seen it down for `down-after` (the leader's round acted); **decided**, the replica chosen and the "
                + "intent written to ZooKeeper; **promoted**, the replica answered `REPLICAOF NO ONE`; **published**, "
                + "the directory named it (ZooKeeper transaction, the leader's cache caught up; Watch streams "
                + "then tell the clients); **client** = resume - published: the client hearing of the new primary, "
                + "connecting to it and getting a write acknowledged.");
        List<String> header = new ArrayList<>(List.of("system", "detection", "fault"));
        header.addAll(ThoonkFailover.PHASES);
        header.addAll(List.of("resume ms", "client ms (resume - published)"));
        report.table(header, rows);
    }

    /** The absolute figure: kill -9 at 500 ms. */
    private static boolean hasAbsoluteTarget(Case c) {
        return c.fault() == Fault.KILL && c.detection().toMillis() == 500;
    }

    private static String verdict(boolean met) {
        return "**" + (met ? "PASS" : "MISS") + "**";
    }

    private void durability(Report report, Comparison c) {
        double ratio = c.pairedRatio(FeedPublishBench.RATE, ThoonkFailover.REPLICATED, ThoonkFailover.PRIMARY);
        report.paragraph("Publish throughput with REPLICATED against PRIMARY durability: a cluster of one coordinator "
                        + "and one shard of a primary and a replica, the routing client with default options "
                        + "(coalescing up to `publishBatch`=" + io.thoonk.client.ThoonkOptions.DEFAULT_PUBLISH_BATCH
                        + "), `feed.withDurability(d).async().publish(item)` of " + Payload.BYTES + "-byte items with "
                        + config.publishWindow() + " publishes in flight, " + config.publishSeconds() + " s per "
                        + "round, a fresh feed per round (created with `history_length="
                        + FeedPublishBench.PLAIN_SETTINGS.get("history_length") + "` as in the publish section, "
                        + "deleted after it); alternating rounds as in the publish sections. REPLICATED "
                        + "sends `WAIT 1` behind each script call (one per coalesced batch), so a call completes once "
                        + "the replica has confirmed it (`WAIT calls`: as the primary counted them, against its `script calls`). "
                        + "`redis CPU %` and `redis µs/script` are the primary's; the replica's CPU is in `other procs "
                        + "CPU %`.")
                .medians(c, FeedPublishBench.RATE)
                .targets(List.of(new Target("REPLICATED / PRIMARY publishes/s (median of paired ratios)",
                        ">= " + Report.ratio(DURABILITY_TARGET), Report.ratio(ratio), ratio >= DURABILITY_TARGET)))
                .rawRounds(c);
    }
}
