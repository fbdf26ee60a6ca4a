package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Cold start of a coordinator on a prefilled directory: the wall time of {@code Coordinator.start()}
 * (which returns once the whole directory is loaded and gRPC is served), and the heap the running
 * coordinator retains (used heap after full GCs with it running, minus the same before it started).
 */
final class ColdLoad {

    static final String START_SECONDS = "start s";
    static final String HEAP_MIB = "retained heap MiB";
    static final String TEAMS = "teams loaded";
    static final double TARGET_SECONDS = 10;
    static final double TARGET_HEAP_MIB = 1024;
    private static final double MIB = 1024 * 1024;
    /** A closed coordinator counts as gone once the heap is back within this of where it started. */
    private static final double SETTLED_MIB = 16;
    private static final long RELEASE_WAIT_SECONDS = 60;

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private ColdLoad() {
    }

    /** Starts and stops a coordinator {@code rounds} times; each round's figures, in order. */
    static List<Metrics> measure(Directory directory, int rounds, ResourceUse resources) throws Exception {
        System.out.printf("%n== coordinator cold load: %d rounds%n", rounds);
        List<Metrics> out = new ArrayList<>();
        long baseline = usedHeapAfterGc();
        for (int r = 1; r <= rounds; r++) {
            long before = released(baseline);
            ResourceUse.Snapshot cpu = resources.snapshot();
            long t0 = System.nanoTime();
            Coordinator coordinator = directory.startCoordinator("cold-" + r);
            long elapsed = System.nanoTime() - t0;
            try {
                Metrics m = new Metrics().put(START_SECONDS, elapsed / 1e9);
                resources.addSince(cpu, m);
                m.put(HEAP_MIB, (usedHeapAfterGc() - before) / MIB);
                ManagedChannel channel = Directory.channel(coordinator);
                try {
                    StatusResponse status = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .status(StatusRequest.getDefaultInstance());
                    m.put(TEAMS, status.getTeamCount());
                    if (status.getTeamCount() != directory.prefill().teams()
                            || status.getDirectoryRevision() != directory.prefill().revision()) {
                        throw new IllegalStateException("the coordinator loaded " + status.getTeamCount()
                                + " teams at revision " + status.getDirectoryRevision() + ", the prefill wrote "
                                + directory.prefill().teams() + " at revision " + directory.prefill().revision());
                    }
                } finally {
                    channel.shutdownNow();
                }
                System.out.printf("  round %-3d %s%n", r, m);
                out.add(m);
            } finally {
                directory.stop(coordinator);
            }
        }
        return out;
    }

    /**
     * Used heap once the previous round's coordinator is gone: {@code Coordinator.close()} returns
     * before all of its threads have ended, and what they still reach (the whole directory) stays
     * in the heap until then. Waits until the heap after GC is back within {@link #SETTLED_MIB} of
     * {@code baseline}, the heap before the first round.
     */
    private static long released(long baseline) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(RELEASE_WAIT_SECONDS);
        long used;
        while ((used = usedHeapAfterGc()) > baseline + SETTLED_MIB * MIB && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (used > baseline + SETTLED_MIB * MIB) {
            throw new IllegalStateException(String.format(Locale.ROOT, "the heap is still %.0f MiB above its level "
                    + "before the first coordinator %d s after the previous one was closed", (used - baseline) / MIB,
                    RELEASE_WAIT_SECONDS));
        }
        System.out.printf("  heap back to %.0f MiB above the first round's start after %.1f s%n",
                (used - baseline) / MIB, (System.nanoTime() - start) / 1e9);
        return used;
    }

    /** Used heap once full collections have run (twice, as finalizable and weakly held objects need a second). */
    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    static void report(Report report, DirectoryPrefill.Result p, List<Metrics> rounds) {
        double seconds = Metrics.median(rounds, START_SECONDS);
        double heap = Metrics.median(rounds, HEAP_MIB);
        report.section("Directory: " + Report.number(p.teams()) + " teams, coordinator cold load")
                .paragraph(String.format(Locale.ROOT, "A ZooKeeper server runs in this JVM (thoonk-testing "
                                + "`ZooKeeperEnsemble`: curator-test `TestingCluster`, one server, data in a temporary "
                                + "directory). **Prefill** (a benchmark "
                                + "fixture, not an API): `DirectoryStore.ensureLayout()`, then, written directly with "
                                + "Curator in the coordinator's layout (`ZkLayout`, docs/coordinator.md), %d shards "
                                + "(`/shards/<id>`, `Shard` protobuf, addresses that do not exist: nothing ever "
                                + "connects to them), %s team placements (`team-0` ... `team-%d`, epoch 1, active, "
                                + "round-robin over the shards) in %s bucket nodes (`/teams/<bucket>`, one "
                                + "`TeamBucket` protobuf each, teams grouped by `ZkLayout.bucketOf`, %d writes in "
                                + "flight), and `/revision` = %s (one per shard and team; `/changes` left empty). "
                                + "It took %.1f s. Bucket nodes hold %d to %d teams, %s bytes at most (%s MiB in all), "
                                + "against ZooKeeper's packet limit `jute.maxbuffer` of %s bytes.",
                        DirectoryPrefill.SHARDS.length, Report.number(p.teams()), p.teams() - 1,
                        Report.number(p.buckets()), DirectoryPrefill.WINDOW, Report.number(p.revision()), p.seconds(),
                        p.minTeams(), p.maxTeams(), Report.number(p.maxBucketBytes()),
                        Report.number(p.totalBytes() / MIB), Report.number(p.juteMaxBuffer())))
                .paragraph("**Cold load**: " + rounds.size() + " times in turn, a coordinator "
                        + "(`Coordinator.start(CoordinatorConfig.builder(zk).namespace(..).grpcPort(0).clusterPort(0).build())`, through the "
                        + "fixture library's `Coordinators`: gRPC and Hazelcast on free ports) "
                        + "starts on that directory, alone, and is closed again. `start s` is the wall time of "
                        + "`Coordinator.start()`, which returns once the coordinator has connected to ZooKeeper, "
                        + "read every shard and bucket node and built its in-memory directory, and serves gRPC. "
                        + "`retained heap MiB` is this JVM's used heap (`MemoryMXBean`) after two `System.gc()` with "
                        + "the coordinator running, minus the same just before it started: the directory cache plus "
                        + "the coordinator's Curator client, gRPC server and threads. (Before each round the harness "
                        + "waits until the heap is back within " + Report.number(SETTLED_MIB) + " MiB of where it "
                        + "was before the first: `Coordinator.close()` returns before all of the closed "
                        + "coordinator's threads have ended, and the directory they reach is freed a second or two "
                        + "later.) The CPU columns cover the start (this JVM includes the ZooKeeper server). Each "
                        + "round then checks with `Admin.Status` that it serves every team at the prefill's revision.")
                .table(List.of("median of " + rounds.size() + " rounds", "value"), List.of(
                        List.of(START_SECONDS, Report.number(seconds)),
                        List.of(HEAP_MIB, Report.number(heap)),
                        List.of("heap per team (bytes)", Report.number(heap * MIB / p.teams())),
                        List.of(TEAMS, Report.number(Metrics.median(rounds, TEAMS)))))
                .targets(List.of(
                        new Target("cold load of " + Report.number(p.teams()) + " teams (median start time)",
                                "< " + Report.number(TARGET_SECONDS) + " s", Report.number(seconds) + " s",
                                seconds < TARGET_SECONDS),
                        new Target("heap retained by the loaded coordinator (median)",
                                "< " + Report.number(TARGET_HEAP_MIB) + " MiB", Report.number(heap) + " MiB",
                                heap < TARGET_HEAP_MIB)))
                .paragraph("The bench JVM runs with the heap given under Machine above; the target is on the "
                        + "retained heap, not on that setting. Rounds (in run order):")
                .rounds(rounds);
    }
}
