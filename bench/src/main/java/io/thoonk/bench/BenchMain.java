package io.thoonk.bench;

import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.testing.RedisProcess;

import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs every benchmark and writes the report: the client's against a redis-server of its own, the
 * directory's against a ZooKeeper server and coordinators in this JVM.
 *
 * <p>Usage: {@code BenchMain [--quick] [--out FILE] [--only publish,routing,jobs,latency,directory,startup,failover,moves]}
 * (default {@code docs/benchmarks.md}). Use {@code bench/run}, which builds the module and the CLI
 * first (the start-up benchmark runs the CLI as whole processes).
 */
public final class BenchMain {

    private static final Set<String> KEYS = Set.of("publish", "routing", "jobs", "latency", "directory", "startup",
            "failover", "moves");

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchConfig config = BenchConfig.standard();
        Path out = Path.of("docs", "benchmarks.md");
        Set<String> only = new HashSet<>(KEYS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> config = BenchConfig.quick();
                case "--out" -> out = Path.of(args[++i]);
                case "--only" -> {
                    Set<String> wanted = Set.of(args[++i].split(","));
                    if (!KEYS.containsAll(wanted)) {
                        throw new IllegalArgumentException("--only takes some of " + KEYS + ", got " + wanted);
                    }
                    only.retainAll(wanted);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: BenchMain [--quick] [--out FILE] [--only "
                        + "publish,routing,jobs,latency,directory,startup,failover,moves]");
            }
        }
        long start = System.nanoTime();
        String load = Machine.loadAverage();
        try (RedisProcess redis = RedisProcess.start();
             Thoonk thoonk = Thoonk.connect(redis.uri());
             Thoonk unbatched = Thoonk.connect(redis.uri(), ThoonkOptions.builder().publishBatch(1).build());
             BareLettuce bare = BareLettuce.connect(redis.uri())) {
            ResourceUse resources = new ResourceUse(redis);
            Benchmark plain = FeedPublishBench.plain(thoonk, unbatched, bare, config, resources);
            Benchmark trimmed = FeedPublishBench.trimmed(thoonk, unbatched, bare, config, resources);
            Benchmark routing = new RoutingBench(redis, thoonk, bare, config, resources);
            Benchmark jobs = new JobRoundTripBench(thoonk, bare, config, resources);
            Benchmark latency = new ListenerLatencyBench(thoonk, bare, config, resources);
            Benchmark directory = new DirectoryBench(config);
            Benchmark startup = new StartupBench(redis, thoonk, config);
            Benchmark failover = new FailoverBench(config);
            Benchmark moves = new MoveBench(config);
            List<Benchmark> reportOrder = List.of(plain, trimmed, routing, jobs, latency, directory, startup, failover,
                    moves);
            // The other Redis benchmarks run in reverse report order: the latency benchmark, the most
            // sensitive to a busy machine, first, before the throughput runs have heated it. The
            // routing benchmark (its own ZooKeeper and coordinator, the same Redis) after the other
            // Redis benchmarks; the directory benchmarks after them, so that their million-team heap
            // never shares the JVM with a Redis round; the CLI start-up (whole processes, none in
            // this JVM) after them, once the directory is gone; the failover rounds (fresh processes of
            // their own, faulted), then the team moves (fresh processes of their own too).
            List<Benchmark> runOrder = List.of(latency, jobs, trimmed, plain, routing, directory, startup, failover,
                    moves);
            Map<Benchmark, Benchmark.Section> sections = new HashMap<>();
            for (Benchmark b : runOrder) {
                if (only.contains(b.key())) {
                    sections.put(b, b.run());
                }
            }
            Report report = new Report();
            header(report, config, redis, load, (System.nanoTime() - start) / 1e9);
            reportOrder.stream().filter(sections::containsKey).forEach(b -> sections.get(b).writeTo(report));
            report.write(out);
            System.out.printf("%nwrote %s%n", out.toAbsolutePath());
        }
    }

    private static void header(Report report, BenchConfig config, RedisProcess redis, String load, double seconds) {
        String commit = System.getProperty("bench.commit", "unknown");
        report.heading(1, "Benchmarks")
                .paragraph("Generated by `bench/run` (module `bench`, class `io.thoonk.bench.BenchMain`); do not edit "
                        + "by hand, run it again. It builds the client, the coordinator, the CLI and the benchmarks "
                        + "(`mvn -q -B -DskipTests install -pl bench,cli -am`), starts its own `redis-server` on a free loopback port "
                        + "for the client benchmarks (the routing-client benchmark registers it as the only shard of a "
                        + "ZooKeeper server and coordinator of its own), and a ZooKeeper server, coordinators and two more "
                        + "`redis-server` shards for the directory benchmarks, runs the benchmarks below and rewrites "
                        + "this file. The failover benchmark starts its own processes for every round (a primary, a "
                        + "replica, three Redis Sentinels or the cluster), and so does the moves benchmark (a source and a "
                        + "target Redis, or the cluster). It takes about sixteen minutes, build included.")
                .code("sh", "bench/run                    # from any directory; writes docs/benchmarks.md\n"
                        + "bench/run --quick            # smoke run of the harness, seconds; figures not meaningful\n"
                        + "bench/run --only directory   # some of: publish, routing, jobs, latency, directory, "
                        + "startup, failover, moves (the file then holds only those)")
                .paragraph("Method: each comparison sets two or three variants against the same server in the "
                        + "same run. After " + config.warmups() + " warmup round(s) per variant"
                        + ", each of " + config.rounds() + " measured rounds runs every variant once, "
                        + "starting with the next variant each round (A B C, B C A, C A B, ...), so noise on the "
                        + "machine hits all alike and no variant always follows the same other one (a round leaves "
                        + "Redis freeing what it wrote, which slows the round after it); each round uses fresh "
                        + "objects, and a GC runs before it. The listener latency benchmark instead runs its two "
                        + "variants at the same time, on the same events, in each round (see its section). "
                        + "Tables give the median over the rounds, the ratio of the medians and the "
                        + "median of the per-pair ratios (round i of A over round i of B, which ran within one round: "
                        + "the ratio targets use this one, as it cancels noise that lasts longer than a pair); the "
                        + "raw rounds follow each table. Every round also records where the CPU went, in % of one "
                        + "core: `redis CPU %` (the server, from `INFO cpu`), `bench JVM CPU %` (this process: client, "
                        + "Lettuce, harness; in the directory benchmarks also the coordinator and ZooKeeper), "
                        + "`other procs CPU %` (everything else on the machine, from `/proc/stat`: the noise), and "
                        + "`redis µs/script` (mean execution time of one script call, from `INFO commandstats`). A "
                        + "pair of rounds is \"quiet\" when other processes stayed below "
                        + Report.number(Report.QUIET_OTHER_CPU) + "% of a core in both; each table is followed by "
                        + "its headline figure over the quiet pairs only. Targets are judged on all rounds. The "
                        + "Redis benchmarks run latency first, while the machine is freshest, then jobs, trimmed and "
                        + "plain publish, then the routing client; then the directory benchmarks, the CLI "
                        + "start-up (whole processes), and the failover rounds and the team moves last (their "
                        + "method is in their sections).")
                .heading(2, "Machine")
                .bullets(concat(Machine.describe(redis, load), List.of(
                        "Run: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                                + ", commit " + commit + ", " + String.format("%.0f", seconds)
                                + " s of benchmarks" + (config.equals(BenchConfig.quick()) ? " (--quick)" : ""),
                        "The machine is shared and noisy: compare variants within one run, not across runs.")));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }
}
