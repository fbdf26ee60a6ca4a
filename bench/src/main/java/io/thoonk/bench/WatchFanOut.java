package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisProcess;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Watch fan-out: many Watch streams open on one coordinator while teams are placed one at a time
 * through Resolve; for every (stream, change) pair, when the stream heard of the change against
 * when its Resolve was sent and when it returned. Placement writes a team's fence on its shard, so
 * two real redis-server primaries are registered first (AddShard) and take the new teams.
 */
final class WatchFanOut {

    static final String[] SHARDS = {"watch-a", "watch-b"};
    private static final long DEADLINE_SECONDS = 30;
    private static final long DELIVERY_WAIT_SECONDS = 30;

    /** One change as a stream received it, with the {@code System.nanoTime} at the start of {@code onNext}. */
    private record Received(DirectoryChange change, long nanos) {
    }

    /** One Watch stream's observer: keeps what arrived, in arrival order. */
    private static final class Stream implements StreamObserver<WatchResponse> {
        private final List<Received> received = new ArrayList<>();
        private int reloads;
        private Throwable error;
        private boolean completed;

        @Override
        public void onNext(WatchResponse response) {
            long now = System.nanoTime();
            synchronized (this) {
                if (response.hasChange()) {
                    received.add(new Received(response.getChange(), now));
                } else {
                    reloads++;
                }
            }
        }

        @Override
        public synchronized void onError(Throwable t) {
            error = t;
        }

        @Override
        public synchronized void onCompleted() {
            completed = true;
        }

        synchronized long lastRevision() {
            return received.isEmpty() ? 0 : received.get(received.size() - 1).change().getRevision();
        }

        synchronized List<Received> received() {
            return List.copyOf(received);
        }

        /** What went wrong with the stream itself (not its contents), or null. */
        synchronized String trouble() {
            if (error != null) {
                return "failed: " + error;
            }
            if (completed) {
                return "ended by the server";
            }
            return reloads > 0 ? reloads + " reload answer(s)" : null;
        }
    }

    /**
     * What the run measured.
     *
     * @param figures        delays, Resolve times and CPU
     * @param streams        Watch streams open
     * @param changes        teams placed (directory changes made) while measuring
     * @param exact          streams that received exactly the measured changes, each once, in revision order
     * @param problems       what was wrong with the other streams (empty if none)
     * @param seconds        time from the first Resolve to the last delivery
     */
    record Result(Metrics figures, int streams, int changes, int exact, List<String> problems, double seconds) {
    }

    private WatchFanOut() {
    }

    static Result run(Coordinator coordinator, BenchConfig config, ResourceUse resources) throws Exception {
        System.out.printf("%n== Watch fan-out: %d streams, %d changes%n", config.watchStreams(), config.watchChanges());
        List<RedisProcess> redis = new ArrayList<>();
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            ManagedChannel control = Directory.channel(coordinator);
            channels.add(control);
            AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(control);
            for (String id : SHARDS) {
                RedisProcess primary = RedisProcess.start();
                redis.add(primary);
                admin.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS).addShard(AddShardRequest.newBuilder()
                        .setId(id).setPrimary(primary.address()).build());
            }
            DirectoryGrpc.DirectoryBlockingStub directory = DirectoryGrpc.newBlockingStub(control);

            List<Stream> streams = new ArrayList<>();
            for (int i = 0; i < config.watchStreams(); i++) {
                ManagedChannel channel = Directory.channel(coordinator);
                channels.add(channel);
                Stream stream = new Stream();
                streams.add(stream);
                DirectoryGrpc.newStub(channel).watch(WatchRequest.newBuilder().setFromRevision(0).build(), stream);
            }
            long barrier = allListening(directory, streams);

            int n = config.watchChanges();
            String[] teams = new String[n];
            long[] sentAt = new long[n];
            long[] returnedAt = new long[n];
            Latencies resolveTimes = new Latencies();
            ResourceUse.Snapshot cpu = resources.snapshot();
            long start = System.nanoTime();
            long lastRevision = barrier;
            for (int k = 0; k < n; k++) {
                teams[k] = "watch-team-" + k;
                sentAt[k] = System.nanoTime();
                ResolveResponse r = resolve(directory, teams[k]);
                returnedAt[k] = System.nanoTime();
                lastRevision = r.getDirectoryRevision(); // the directory's revision once it holds the team
                resolveTimes.record(returnedAt[k] - sentAt[k]);
                if (!r.getPlacement().getShardId().startsWith("watch-") || !r.getPlacement().getTeam().equals(teams[k])) {
                    throw new IllegalStateException("Resolve(" + teams[k] + ") answered " + r);
                }
            }
            boolean delivered = awaitRevision(streams, lastRevision, DELIVERY_WAIT_SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            Metrics figures = new Metrics();
            analyse(streams, barrier, teams, sentAt, returnedAt, figures);
            resolveTimes.addPercentiles(figures, "Resolve (placing) ", 50, 99, 100);
            resources.addSince(cpu, figures);
            List<String> problems = new ArrayList<>();
            if (!delivered) {
                problems.add("not every stream had revision " + lastRevision + " " + DELIVERY_WAIT_SECONDS
                        + " s after the last Resolve");
            }
            long[] revisions = streams.get(0).received().stream().filter(r -> r.change().getRevision() > barrier)
                    .mapToLong(r -> r.change().getRevision()).toArray();
            int exact = 0;
            for (int i = 0; i < streams.size(); i++) {
                String wrong = check(streams.get(i), barrier, teams, revisions);
                if (wrong == null) {
                    exact++;
                } else {
                    problems.add("stream " + (i + 1) + ": " + wrong);
                }
            }
            Result result = new Result(figures, streams.size(), n, exact, problems, seconds);
            System.out.printf("  %d of %d streams exact; %s%n", exact, streams.size(), figures);
            return result;
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            redis.forEach(RedisProcess::close);
        }
    }

    private static ResolveResponse resolve(DirectoryGrpc.DirectoryBlockingStub directory, String team) {
        return directory.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam(team).build());
    }

    /**
     * With {@code from_revision 0} a stream gets changes from whenever the server registered it,
     * which the client cannot see: place warm-up teams until every stream has heard one. Returns
     * the revision after which the measured changes start.
     */
    private static long allListening(DirectoryGrpc.DirectoryBlockingStub directory, List<Stream> streams)
            throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            long revision = resolve(directory, "watch-ready-" + attempt).getDirectoryRevision();
            if (awaitRevision(streams, revision, 2)) {
                return revision;
            }
        }
        throw new IllegalStateException("Watch streams still not all listening after 20 warm-up placements");
    }

    private static boolean awaitRevision(List<Stream> streams, long revision, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (streams.stream().allMatch(s -> s.lastRevision() >= revision)) {
                return true;
            }
            Thread.sleep(1);
        }
        return false;
    }

    /**
     * Null if the stream received, after the barrier, exactly one change per placed team, in the
     * order they were placed, at strictly increasing revisions that are the same as the first
     * stream's ({@code revisions}); else what it got.
     */
    private static String check(Stream stream, long barrier, String[] teams, long[] revisions) {
        String trouble = stream.trouble();
        if (trouble != null) {
            return trouble;
        }
        List<Received> got = stream.received().stream().filter(r -> r.change().getRevision() > barrier).toList();
        if (got.size() != teams.length) {
            return "received " + got.size() + " changes after revision " + barrier + ", expected " + teams.length;
        }
        long previous = barrier;
        for (int k = 0; k < teams.length; k++) {
            DirectoryChange c = got.get(k).change();
            if (!c.getTeam().getTeam().equals(teams[k]) || c.getRevision() <= previous
                    || revisions.length != teams.length || c.getRevision() != revisions[k]) {
                return "change " + (k + 1) + " was revision " + c.getRevision() + " (" + c.getChangeCase() + " "
                        + c.getTeam().getTeam() + "), expected " + teams[k] + " after revision " + previous;
            }
            previous = c.getRevision();
        }
        return null;
    }

    /** Delays over every (stream, change) pair, and the spread of each change's deliveries. */
    private static void analyse(List<Stream> streams, long barrier, String[] teams, long[] sentAt, long[] returnedAt,
                                Metrics figures) {
        Map<String, Integer> index = new HashMap<>();
        for (int k = 0; k < teams.length; k++) {
            index.put(teams[k], k);
        }
        Latencies sinceSend = new Latencies();
        Latencies sinceReturn = new Latencies();
        long[] first = new long[teams.length];
        long[] last = new long[teams.length];
        java.util.Arrays.fill(first, Long.MAX_VALUE);
        java.util.Arrays.fill(last, Long.MIN_VALUE);
        int beforeReturn = 0;
        for (Stream s : streams) {
            for (Received r : s.received()) {
                Integer k = index.get(r.change().getTeam().getTeam());
                if (r.change().getRevision() <= barrier || k == null) {
                    continue;
                }
                sinceSend.record(r.nanos() - sentAt[k]);
                sinceReturn.record(r.nanos() - returnedAt[k]);
                if (r.nanos() < returnedAt[k]) {
                    beforeReturn++;
                }
                first[k] = Math.min(first[k], r.nanos());
                last[k] = Math.max(last[k], r.nanos());
            }
        }
        Latencies spread = new Latencies();
        for (int k = 0; k < teams.length; k++) {
            if (first[k] != Long.MAX_VALUE) {
                spread.record(last[k] - first[k]);
            }
        }
        figures.put("(stream, change) pairs received", sinceSend.count());
        sinceSend.addPercentiles(figures, "delay since Resolve sent ", 50, 90, 99, 100);
        sinceReturn.addPercentiles(figures, "delay since Resolve returned ", 50, 90, 99, 100);
        figures.put("pairs received before Resolve returned %", 100.0 * beforeReturn / Math.max(1, sinceSend.count()));
        spread.addPercentiles(figures, "spread first to last stream ", 50, 99, 100);
    }

    static void report(Report report, Result r, DirectoryPrefill.Result prefill) {
        report.section("Directory: Watch fan-out")
                .paragraph(String.format(Locale.ROOT, "On the coordinator of the previous section (the %s-team directory loaded), "
                                + "two real `redis-server` primaries are registered with `Admin.AddShard` (`%s`, "
                                + "`%s`): placing a team writes its fence on its shard's primary, and they are the "
                                + "least-loaded shards, so they take every new team. %d Watch streams are opened with "
                                + "async stubs (`Directory.Watch`, `from_revision 0`), each on a channel of its own, "
                                + "as %d watching application servers would be. As `from_revision 0` means \"from "
                                + "whenever the server registers the stream\", warm-up teams are placed until every "
                                + "stream has heard one; then %d new teams are placed one at a time through "
                                + "`Directory.Resolve` (blocking stub, the next call once the previous one returned), "
                                + "each a directory change. Each stream stamps `System.nanoTime` when a change reaches "
                                + "its `onNext`. **delay since Resolve sent**: that stamp minus the time just before "
                                + "the Resolve that made the change was sent (placement included: fence write, "
                                + "ZooKeeper transaction, written to the ZooKeeper server's transaction log on disk, cache "
                                + "update); **delay since Resolve returned**: minus the "
                                + "time the call returned (negative when the stream heard first: the coordinator "
                                + "answers Resolve only once its own cache, which feeds the streams, has the change). "
                                + "Percentiles are over all (stream, change) pairs of the run; \"spread\" is, per "
                                + "change, the last stream's stamp minus the first's. Everything runs in this JVM.",
                        Report.number(prefill.teams()), SHARDS[0], SHARDS[1], r.streams(), r.streams(),
                        r.changes()))
                .figures("figure (one run)", r.figures())
                .paragraph(r.exact() == r.streams() && r.problems().isEmpty()
                        ? String.format(Locale.ROOT, "Delivery: every one of the %d streams received every one of "
                                + "the %d revisions exactly once, in revision order, with the team each placed "
                                + "(%s pairs); %.1f s from the first Resolve to the last delivery.", r.streams(),
                        r.changes(), Report.number((double) r.streams() * r.changes()), r.seconds())
                        : String.format(Locale.ROOT, "Delivery: only %d of %d streams received every one of the %d "
                                + "revisions exactly once and in order. Problems: %s.", r.exact(), r.streams(),
                        r.changes(), String.join("; ", r.problems())))
                .paragraph("No target was set for the fan-out delay.");
    }
}
