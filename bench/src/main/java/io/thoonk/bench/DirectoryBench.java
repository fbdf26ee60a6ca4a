package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.thoonk.coordinator.Coordinator;

import java.util.List;
import java.util.Locale;

/**
 * The coordinator's directory at scale: a prefilled directory of many teams in a ZooKeeper server
 * in this JVM; cold loads of it by a coordinator ({@link ColdLoad}); Resolve over gRPC against an
 * empty gRPC round trip ({@link ResolveBench}); Watch fan-out ({@link WatchFanOut}).
 */
final class DirectoryBench implements Benchmark {

    private final BenchConfig config;

    DirectoryBench(BenchConfig config) {
        this.config = config;
    }

    @Override
    public String key() {
        return "directory";
    }

    @Override
    public Section run() throws Exception {
        long start = System.nanoTime();
        ResourceUse resources = ResourceUse.jvmOnly();
        try (Directory directory = Directory.prefilled(config.teams())) {
            DirectoryPrefill.Result prefill = directory.prefill();
            List<Metrics> coldLoads = ColdLoad.measure(directory, config.coldLoads(), resources);
            Comparison resolve;
            Comparison single;
            WatchFanOut.Result watch;
            try (Coordinator coordinator = directory.startLeader("serving")) {
                ManagedChannel channel = Directory.channel(coordinator);
                try {
                    resolve = ResolveBench.run(channel, prefill, config.resolveCallers(), config.warmups(),
                            config.rounds(), config, resources);
                    single = ResolveBench.run(channel, prefill, 1, 1, Math.max(2, config.rounds() / 2), config,
                            resources);
                } finally {
                    channel.shutdownNow();
                }
                watch = WatchFanOut.run(coordinator, config, resources);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("  directory benchmarks: %.0f s%n", seconds);
            return report -> {
                ColdLoad.report(report, prefill, coldLoads);
                report.paragraph(String.format(Locale.ROOT, "The directory benchmarks (prefill, cold loads, Resolve "
                        + "rounds, Watch fan-out: this section and the next two) took %.0f s together.", seconds));
                ResolveBench.report(report, resolve, single, prefill, config);
                WatchFanOut.report(report, watch, prefill);
            };
        }
    }
}
