package io.thoonk.bench;

import io.thoonk.client.AsyncFeed;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Keys;
import io.thoonk.testing.RedisProcess;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * One round of the move benchmark: a fresh {@link MoveDeployment} of one {@link MoveSystem}, the
 * {@link MoveCase}'s team loaded through its client, then a {@link PacedWriter} publishing to the team
 * at {@link #RATE} writes/s through the same client: {@link #WARMUP} unmeasured, {@link #BEFORE}
 * measured before the move, the move, and {@link #AFTER} more. Both Redis servers' latency monitors
 * ({@link RedisStalls}) are reset at the start of the before window and again at the move's start, and
 * read at the end of each window (the move's end: when {@link MoveDeployment#move} returns). Afterwards
 * the target must hold every loaded item and the source none of the feeds the writer did not write
 * to, or the round fails.
 *
 * <p>The writer publishes to the team's first feed with ids {@code i0 .. i99} in turn (or as many as
 * the feed holds): each publish replaces an item the team already has (a change with its revision,
 * history entry and events, as any publish), so the team keeps the case's size however long the round.
 * A publish's latency is from when it was issued to its acknowledgement; the writes "during" the move
 * are those in flight at any moment of it (issued before its end, acknowledged after its start).
 */
final class MoveRound {

    /** Publishes per second to the team: one a millisecond, so a pause shows to the millisecond. */
    static final int RATE = 1_000;
    static final Duration WARMUP = Duration.ofMillis(500);
    static final Duration BEFORE = Duration.ofSeconds(2);
    static final Duration AFTER = Duration.ofMillis(500);
    /** How many of the first feed's items the writer replaces in turn. */
    static final int EDIT_IDS = 100;

    static final String ITEMS = "items";
    static final String TEAM_MB = "team MB";
    static final String LOAD = "load s";
    static final String MOVE = "move ms";
    static final String REPORTED_PAUSE = "reported pause ms";
    static final String BEFORE_P50 = "before p50 ms";
    static final String BEFORE_P99 = "before p99 ms";
    static final String BEFORE_MAX = "before max ms";
    static final String DURING_P50 = "during p50 ms";
    static final String DURING_P99 = "during p99 ms";
    static final String DURING_MAX = "during max ms";
    static final String DURING_WRITES = "writes during";
    static final String GAP = "longest ack gap ms";
    static final String FAILED = "failed writes";
    static final String STALL_SOURCE_BEFORE = "stall before source ms";
    static final String STALL_TARGET_BEFORE = "stall before target ms";
    static final String STALL_SOURCE = "stall source ms";
    static final String STALL_TARGET = "stall target ms";

    /** Room for the longest round the writer may see: ten minutes at {@link #RATE}. */
    private static final int CAPACITY = 600 * RATE;
    private static final Duration PHASE_SLACK = Duration.ofSeconds(15);

    /**
     * One round's figures, and the events behind its longest stalls (text, for the raw rounds); or,
     * for a round that failed (its move, or the checks after it), why, with every figure NaN.
     */
    record Result(Metrics figures, String stalls, Optional<String> failure) {

        Result(Metrics figures, String stalls) {
            this(figures, stalls, Optional.empty());
        }

        /** A failed round of {@code shape}: {@code why} for the report, no figure but the item count. */
        static Result failed(MoveCase shape, Exception why) {
            Metrics figures = new Metrics().put(ITEMS, shape.items());
            for (String metric : List.of(TEAM_MB, LOAD, MOVE, REPORTED_PAUSE, BEFORE_P50, BEFORE_P99, BEFORE_MAX,
                    DURING_P50, DURING_P99, DURING_MAX, DURING_WRITES, GAP, FAILED, STALL_SOURCE_BEFORE,
                    STALL_TARGET_BEFORE, STALL_SOURCE, STALL_TARGET)) {
                figures.put(metric, Double.NaN);
            }
            String text = why.getMessage() == null ? why.toString() : why.getMessage();
            return new Result(figures, "failed: " + text, Optional.of(text));
        }
    }

    private MoveRound() {
    }

    static Result run(MoveSystem system, MoveCase shape, String team) throws Exception {
        try (MoveDeployment deployment = system.start(team)) {
            RedisProcess source = deployment.source();
            RedisProcess target = deployment.target();
            long memoryBefore = usedMemory(source);
            long loadStart = System.nanoTime();
            TeamLoader.load(deployment.client(), team, shape);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            expectItems(source, team, shape, 0, true, "after loading");
            double teamMb = (usedMemory(source) - memoryBefore) / 1e6;

            RedisStalls.enable(source);
            RedisStalls.enable(target);
            AsyncFeed feed = deployment.client().feed(MoveCase.feed(team, 0)).async();
            int ids = Math.min(EDIT_IDS, shape.feedSizes().get(0));
            PacedWriter writer = new PacedWriter(i -> feed.publish(Payload.padded("w" + i), MoveCase.itemId(i % ids)),
                    RATE, CAPACITY);
            int warmup = writes(WARMUP);
            Window w = new Window();
            writer.start();
            try {
                writer.awaitAcked(warmup, WARMUP.plus(PHASE_SLACK), system.name() + " acknowledged no " + warmup
                        + " writes to team " + team);
                RedisStalls.reset(source);
                RedisStalls.reset(target);
                w.beforeStart = System.nanoTime();
                writer.awaitAcked(warmup + writes(BEFORE), BEFORE.plus(PHASE_SLACK), system.name()
                        + " acknowledged too few writes to team " + team + " before the move");
                w.sourceBefore = RedisStalls.longest(source);
                w.targetBefore = RedisStalls.longest(target);
                RedisStalls.reset(source);
                RedisStalls.reset(target);
                w.moveStart = System.nanoTime();
                w.reported = deployment.move(team);
                w.moveEnd = System.nanoTime();
                w.source = RedisStalls.longest(source);
                w.target = RedisStalls.longest(target);
                writer.awaitAckedAfter(writer.issued() - 1 + writes(AFTER), AFTER.plus(PHASE_SLACK), system.name()
                        + " acknowledged no write to team " + team + " issued " + AFTER.toMillis()
                        + " ms after the move");
            } finally {
                writer.stop();
            }
            writer.awaitCompleted(ThoonkOptions.DEFAULT_COMMAND_TIMEOUT.plusSeconds(5));
            expectItems(target, team, shape, 0, true, "on the target after the move");
            // the writer's feed may be written again on a source that has no routing (MIGRATE)
            expectItems(source, team, shape, 1, false, "on the source after the move");
            Metrics figures = new Metrics()
                    .put(ITEMS, shape.items())
                    .put(TEAM_MB, teamMb)
                    .put(LOAD, loadSeconds)
                    .put(MOVE, (w.moveEnd - w.moveStart) / 1e6)
                    .put(REPORTED_PAUSE, w.reported.isPresent() ? w.reported.getAsLong() : Double.NaN);
            latencies(writer, w, figures);
            figures.put(STALL_SOURCE_BEFORE, w.sourceBefore.millis())
                    .put(STALL_TARGET_BEFORE, w.targetBefore.millis())
                    .put(STALL_SOURCE, w.source.millis())
                    .put(STALL_TARGET, w.target.millis());
            return new Result(figures, "before: " + RedisStalls.describe(w.sourceBefore, w.targetBefore)
                    + "; during: " + RedisStalls.describe(w.source, w.target));
        }
    }

    /** The times and readings of one round ({@link System#nanoTime()}). */
    private static final class Window {
        long beforeStart;
        long moveStart;
        long moveEnd;
        OptionalLong reported;
        RedisStalls.Longest sourceBefore;
        RedisStalls.Longest targetBefore;
        RedisStalls.Longest source;
        RedisStalls.Longest target;
    }

    private static int writes(Duration d) {
        return (int) (d.toMillis() * RATE / 1000);
    }

    /**
     * Publish latencies before the move (issued after the before window started, acknowledged before
     * the move started) and during it (in flight at any moment of it); the longest time without an
     * acknowledgement from the last one before the move to the first one after it; failed writes.
     */
    private static void latencies(PacedWriter writer, Window w, Metrics figures) {
        int issued = writer.issued();
        long[] before = new long[issued];
        long[] during = new long[issued];
        long[] acks = new long[issued];
        int nBefore = 0;
        int nDuring = 0;
        int nAcks = 0;
        for (int i = 0; i < issued; i++) {
            long sent = writer.issuedAt(i);
            long acked = writer.ackedAt(i);
            if (acked == 0) {
                continue;
            }
            acks[nAcks++] = acked;
            if (sent >= w.beforeStart && acked < w.moveStart) {
                before[nBefore++] = acked - sent;
            } else if (sent <= w.moveEnd && acked >= w.moveStart) {
                during[nDuring++] = acked - sent;
            }
        }
        percentiles(before, nBefore, figures, BEFORE_P50, BEFORE_P99, BEFORE_MAX);
        percentiles(during, nDuring, figures, DURING_P50, DURING_P99, DURING_MAX);
        figures.put(DURING_WRITES, nDuring);
        figures.put(GAP, longestGap(Arrays.copyOf(acks, nAcks), w.moveStart, w.moveEnd) / 1e6);
        figures.put(FAILED, writer.failed());
    }

    private static void percentiles(long[] samples, int count, Metrics figures, String p50, String p99, String max) {
        long[] sorted = Stats.sortedCopy(samples, count);
        figures.put(p50, millis(sorted, count, 50)).put(p99, millis(sorted, count, 99))
                .put(max, millis(sorted, count, 100));
    }

    private static double millis(long[] sorted, int count, double p) {
        return count == 0 ? Double.NaN : Stats.percentile(sorted, count, p) / (double) TimeUnit.MILLISECONDS.toNanos(1);
    }

    /**
     * The longest interval without an acknowledgement among {@code acks}, from the last one at or before
     * {@code start} (or {@code start}) to the first one at or after {@code end} (or the last one).
     */
    static long longestGap(long[] acks, long start, long end) {
        Arrays.sort(acks);
        long previous = start;
        long longest = 0;
        for (long a : acks) {
            if (a <= start) {
                previous = a;
                continue;
            }
            longest = Math.max(longest, a - previous);
            previous = a;
            if (a >= end) {
                break;
            }
        }
        return longest;
    }

    /**
     * Checks that {@code redis} holds every item ({@code all}) or none of the team's feeds from
     * {@code firstFeed} on.
     */
    private static void expectItems(RedisProcess redis, String team, MoveCase shape, int firstFeed, boolean all,
                                    String when) {
        for (int k = firstFeed; k < shape.feedSizes().size(); k++) {
            String key = Keys.items(MoveCase.feed(team, k));
            long held = Long.parseLong(redis.call("HLEN " + key));
            long expected = all ? shape.feedSizes().get(k) : 0;
            if (held != expected) {
                throw new IllegalStateException(redis + " holds " + held + " items in " + key + ", expected "
                        + expected + " " + when);
            }
        }
    }

    private static long usedMemory(RedisProcess redis) {
        return redis.call("INFO memory").lines().filter(l -> l.startsWith("used_memory:"))
                .mapToLong(l -> Long.parseLong(l.substring("used_memory:".length()).trim())).findFirst()
                .orElseThrow(() -> new IllegalStateException(redis + " reported no used_memory in INFO memory"));
    }
}
