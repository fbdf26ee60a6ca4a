package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Resolve throughput and latency over gRPC on loopback: concurrent callers with blocking stubs on
 * one channel, each resolving random teams of the prefilled directory, against the standard gRPC
 * health Check on the same server and channel: what Resolve adds to an empty gRPC round trip.
 */
final class ResolveBench {

    static final String RATE = "calls/s";
    static final String P99 = "p99 µs";
    static final double TARGET_P99_MICROS = 1_000;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    private static final long DEADLINE_SECONDS = 10;

    private ResolveBench() {
    }

    /** The comparison with {@code callers} concurrent callers, {@code warmups} + {@code rounds} rounds per variant. */
    static Comparison run(ManagedChannel channel, DirectoryPrefill.Result prefill, int callers, int warmups,
                          int rounds, BenchConfig config, ResourceUse resources) throws Exception {
        DirectoryGrpc.DirectoryBlockingStub directory = DirectoryGrpc.newBlockingStub(channel);
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        HealthCheckRequest overall = HealthCheckRequest.newBuilder().setService("").build();
        Variant resolve = new Variant("Resolve", tag -> round(callers, config, () -> {
            int i = ThreadLocalRandom.current().nextInt(prefill.teams());
            ResolveResponse r = directory.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                    .resolve(ResolveRequest.newBuilder().setTeam(DirectoryPrefill.team(i)).build());
            if (!r.getPlacement().getShardId().equals(DirectoryPrefill.shardOf(i))) {
                throw new IllegalStateException("Resolve(" + DirectoryPrefill.team(i) + ") answered " + r);
            }
        }));
        Variant check = new Variant("health Check", tag -> round(callers, config, () -> {
            HealthCheckResponse r = health.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).check(overall);
            if (r.getStatus() != HealthCheckResponse.ServingStatus.SERVING) {
                throw new IllegalStateException("health Check answered " + r.getStatus());
            }
        }));
        return Comparison.run("Resolve over gRPC, " + callers + " caller(s)", List.of(resolve, check), warmups,
                rounds, resources);
    }

    private static Metrics round(int callers, BenchConfig config, ClosedLoop.Call call) throws Exception {
        ClosedLoop.Outcome out = ClosedLoop.run(callers, config.resolveSeconds(), "bench-caller", call);
        Metrics m = new Metrics().put(RATE, out.perSecond());
        out.latencies().addPercentiles(m, "", PERCENTILES);
        return m;
    }

    /** {@code c}: the comparison under load (the target's); {@code single}: the same with one caller. */
    static void report(Report report, Comparison c, Comparison single, DirectoryPrefill.Result prefill,
                       BenchConfig config) {
        String resolve = c.variants().get(0);
        String check = c.variants().get(1);
        double p99 = c.median(resolve, P99);
        report.section("Directory: Resolve over gRPC")
                .paragraph(String.format(Locale.ROOT, "One coordinator, leader, holding the %s-team directory of "
                                + "the previous section; %d caller threads in this JVM, each with a blocking stub on "
                                + "one shared `ManagedChannel` (plaintext, loopback), calling in a loop (the next "
                                + "call when the previous one returned) for %s s per round; each call's "
                                + "`System.nanoTime` duration is one latency sample. **Resolve**: `Directory.Resolve` "
                                + "of a random already-placed team (answered from the coordinator's memory; the "
                                + "answer's shard is checked). **health Check**: the standard `grpc.health.v1.Health/"
                                + "Check` (service `\"\"`) on the same server and channel: an empty gRPC round trip, "
                                + "so the ratio is what Resolve adds to it. Percentiles are per round; the table "
                                + "gives their medians. The coordinator, its gRPC server, the ZooKeeper server and "
                                + "the callers all run in this JVM, so `bench JVM CPU %%` is all of them.",
                        Report.number(prefill.teams()), config.resolveCallers(), config.resolveSeconds()))
                .medians(c, P99)
                .targets(List.of(new Target("Resolve p99 under " + config.resolveCallers() + " concurrent callers "
                        + "(median of rounds)", "< " + Report.number(TARGET_P99_MICROS) + " µs",
                        Report.number(p99) + " µs", p99 < TARGET_P99_MICROS)))
                .paragraph(findings(c, resolve, check, config))
                .rawRounds(c)
                .paragraph(String.format(Locale.ROOT, "Without queueing: the same comparison with a single caller "
                                + "(%d warmup and %d measured rounds per variant), so that each call has the CPU to "
                                + "itself; a diagnostic, not the target's measurement.",
                        1, single.roundCount()))
                .medians(single, P99)
                .paragraph(String.format(Locale.ROOT, "One caller: Resolve p50 %s µs, p99 %s µs (health Check %s µs, "
                                + "%s µs); this JVM spent %.1f µs of CPU per Resolve.",
                        Report.number(single.median(resolve, "p50 µs")), Report.number(single.median(resolve, P99)),
                        Report.number(single.median(check, "p50 µs")), Report.number(single.median(check, P99)),
                        single.median(resolve, m -> ResourceUse.jvmMicrosPerOp(m, RATE))));
    }

    private static String findings(Comparison c, String resolve, String check, BenchConfig config) {
        double resolveP99 = c.median(resolve, P99);
        double checkP99 = c.median(check, P99);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Resolve against the empty round trip "
                        + "(medians): %s against %s calls/s, %+.0f µs at p50, %+.0f µs at p99. This JVM spent "
                        + "%.1f µs of CPU per Resolve and %.1f µs per health Check, client and server together. ",
                Report.number(c.median(resolve, RATE)), Report.number(c.median(check, RATE)),
                c.median(resolve, "p50 µs") - c.median(check, "p50 µs"), resolveP99 - checkP99,
                c.median(resolve, m -> ResourceUse.jvmMicrosPerOp(m, RATE)),
                c.median(check, m -> ResourceUse.jvmMicrosPerOp(m, RATE))));
        if (resolveP99 >= TARGET_P99_MICROS && checkP99 >= TARGET_P99_MICROS) {
            sb.append(String.format(Locale.ROOT, "The p99 target is missed by the health Check too (p99 %s µs): "
                            + "%d callers doing blocking gRPC round trips with the server in the same process keep "
                            + "this JVM at a median %.0f%% of a core (other processes %.0f%%) on %d cores, so calls "
                            + "queue for CPU and the tail passes %s µs whatever the call does. By Little's law %d "
                            + "callers at %s calls/s spend %s µs per call on average.",
                    Report.number(checkP99), config.resolveCallers(), c.median(resolve, ResourceUse.JVM_CPU),
                    c.median(resolve, ResourceUse.OTHER_CPU), Runtime.getRuntime().availableProcessors(),
                    Report.number(TARGET_P99_MICROS), config.resolveCallers(), Report.number(c.median(resolve, RATE)),
                    Report.number(config.resolveCallers() * 1e6 / c.median(resolve, RATE))));
        } else if (resolveP99 >= TARGET_P99_MICROS) {
            sb.append("The health Check meets the target and Resolve does not: the difference is Resolve's own "
                    + "work (request parsing, team-name check, cache lookup, answer building).");
        }
        return sb.toString();
    }
}
