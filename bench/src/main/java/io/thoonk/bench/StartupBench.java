package io.thoonk.bench;

import io.thoonk.client.Thoonk;
import io.thoonk.testing.RedisProcess;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How long one CLI command takes as a whole process, start-up included: {@code thoonk feed all}
 * through the launcher (which runs one-shot commands with a C1-only JIT and a class data sharing
 * archive), the same command as a plain {@code java -jar thoonk.jar}, and the yardstick
 * {@link OneGet}, a plain JVM on the same jar doing one Lettuce GET. Each run is timed from outside
 * (wall clock around start and exit; CPU of the reaped process tree), the three in turn.
 *
 * <p>Needs the CLI built ({@code cli/target/thoonk.jar}) and the launcher; their paths default to
 * the repository root as working directory ({@code bench/run} runs from there) and can be set with
 * {@code -Dbench.cliJar=} and {@code -Dbench.launcher=}.
 */
final class StartupBench implements Benchmark {

    static final String WALL = "wall ms";
    static final String CPU = "CPU ms";
    static final double TARGET_RATIO = 0.6;
    static final String LAUNCHER = "thoonk (launcher)";
    static final String PLAIN_JAR = "java -jar thoonk.jar";
    static final String ONE_GET = "one Lettuce GET, plain JVM";
    private static final String FEED = "bench:startup:feed";
    private static final String KEY = "bench:startup:key";
    private static final int ITEMS = 3;
    private static final long RUN_TIMEOUT_SECONDS = 60;

    private final RedisProcess redis;
    private final Thoonk thoonk;
    private final BenchConfig config;
    private final Path jar;
    private final Path launcher;

    StartupBench(RedisProcess redis, Thoonk thoonk, BenchConfig config) {
        this.redis = redis;
        this.thoonk = thoonk;
        this.config = config;
        this.jar = Paths.get(System.getProperty("bench.cliJar", "cli/target/thoonk.jar")).toAbsolutePath();
        this.launcher = Paths.get(System.getProperty("bench.launcher", "thoonk")).toAbsolutePath();
    }

    @Override
    public String key() {
        return "startup";
    }

    /** One command, run as a whole process; {@code expected} must be in its output. */
    private record Command(List<String> argv, Map<String, String> environment, String expected) {
    }

    @Override
    public Section run() throws Exception {
        for (Path file : List.of(jar, launcher)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException(file + " is missing: build the CLI first (mvn -B -DskipTests package "
                        + "-pl cli -am) and run from the repository root, or set -Dbench.cliJar / -Dbench.launcher");
            }
        }
        for (int i = 1; i <= ITEMS; i++) {
            thoonk.feed(FEED).publish("item " + i, "id-" + i);
        }
        Path cache = Files.createTempDirectory("thoonk-bench-cache");
        Path output = Files.createTempFile("thoonk-bench-startup", ".out");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String uri = redis.uri();
            // the benchmarks' Redis is also registered as a shard by the routing benchmark
            List<String> feedAll = List.of("feed", "all", FEED, "--redis", uri, "--force-direct");
            Command viaLauncher = new Command(concat(List.of(launcher.toString()), feedAll),
                    Map.of("THOONK_CACHE", cache.toString(), "JAVA_HOME", System.getProperty("java.home")), "id-3");
            Command plainJar = new Command(concat(List.of(java, "-jar", jar.toString()), feedAll), Map.of(), "id-3");
            String benchClasses = Path.of(OneGet.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
            Command oneGet = new Command(List.of(java, "-cp", jar + File.pathSeparator + benchClasses,
                    OneGet.class.getName(), uri, KEY), Map.of(), "null");

            Metrics first = run(viaLauncher, output);
            List<String> archives = archives(cache).stream().map(StartupBench::describe).toList();
            Comparison c = Comparison.run("CLI start-up", List.of(
                            new Variant(LAUNCHER, tag -> run(viaLauncher, output)),
                            new Variant(PLAIN_JAR, tag -> run(plainJar, output)),
                            new Variant(ONE_GET, tag -> run(oneGet, output))),
                    config.warmups(), config.startupRounds(), ResourceUse.jvmOnly());
            double jarMib = Files.size(jar) / (1024.0 * 1024);
            return report -> report(report, c, first, archives, jarMib);
        } finally {
            Files.deleteIfExists(output);
            deleteTree(cache);
        }
    }

    /** Runs {@code command} once, waiting for it; its wall and CPU time in ms. */
    private static Metrics run(Command command, Path output) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command.argv()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("THOONK_"));
        builder.environment().putAll(command.environment());
        double cpuBefore = ResourceUse.childrenCpuSeconds();
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command.argv() + " did not finish within " + RUN_TIMEOUT_SECONDS + " s");
        }
        long wallNanos = System.nanoTime() - start;
        double cpu = ResourceUse.childrenCpuSeconds() - cpuBefore;
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 || !printed.contains(command.expected())) {
            throw new IllegalStateException(command.argv() + " exited with " + process.exitValue() + " and printed: "
                    + printed);
        }
        return new Metrics().put(WALL, wallNanos / 1e6).put(CPU, cpu * 1000);
    }

    private void report(Report report, Comparison c, Metrics first, List<String> archives, double jarMib) {
        double ratio = c.pairedRatio(WALL, LAUNCHER, ONE_GET);
        report.section("CLI start-up")
                .paragraph("One `thoonk feed all` of a " + ITEMS + "-item feed against the benchmark's Redis, timed as "
                        + "a whole process from this JVM: wall time from start to exit, and the CPU time of the "
                        + "process tree once reaped (`/proc/self/stat` `cutime + cstime`, 10 ms ticks). **"
                        + LAUNCHER + "**: the `thoonk` script at the repository root, which runs one-shot commands on "
                        + "its private copy of the jar with `-XX:TieredStopAtLevel=1` (C1 only) and "
                        + "`-XX:SharedArchiveFile` (a class data sharing archive that the first successful data "
                        + "command records with `-XX:ArchiveClassesAtExit`; that first run is not in the rounds). **"
                        + PLAIN_JAR + "**: the same command on the same jar with no JVM options. **" + ONE_GET
                        + "**: the yardstick, `io.thoonk.bench.OneGet` on the same jar with no JVM options: "
                        + "`RedisClient.create`, `connect`, one `GET`, print, `shutdown`. " + config.warmups()
                        + " warmup round(s), then " + c.roundCount() + " rounds of the three in turn; JVM options "
                        + "of the bench do not reach the commands (`java` from the bench's `java.home`).")
                .medians(c, WALL)
                .ratios(c, WALL, List.of(List.of(LAUNCHER, ONE_GET), List.of(PLAIN_JAR, ONE_GET),
                        List.of(LAUNCHER, PLAIN_JAR)))
                .ratios(c, CPU, List.of(List.of(LAUNCHER, ONE_GET), List.of(PLAIN_JAR, ONE_GET),
                        List.of(LAUNCHER, PLAIN_JAR)))
                .targets(List.of(new Target("`thoonk feed all` through the launcher / one Lettuce GET in a plain "
                        + "JVM, wall (median of paired ratios)", "<= " + Report.ratio(TARGET_RATIO),
                        Report.ratio(ratio), ratio <= TARGET_RATIO)))
                .paragraph(String.format(Locale.ROOT, "The jar (`%s`) is %s MiB. The launcher's first data "
                                + "command, which also copies the jar and records the archive, took %.0f ms wall and "
                                + "%.0f ms of CPU; archive: %s.", jar.getFileName(), Report.number(jarMib),
                        first.get(WALL), first.get(CPU), archives.isEmpty() ? "none was recorded (this JVM "
                                + "cannot write one)" : String.join(", ", archives)))
                .rawRounds(c);
    }

    private static String describe(Path archive) {
        try {
            return "`" + archive.getFileName() + "`, " + Report.number(Files.size(archive) / (1024.0 * 1024)) + " MiB";
        } catch (IOException e) {
            return "`" + archive.getFileName() + "`";
        }
    }

    private static List<Path> archives(Path cache) throws IOException {
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
