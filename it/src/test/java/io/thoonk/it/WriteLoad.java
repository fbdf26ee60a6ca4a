package io.thoonk.it;

import io.lettuce.core.StreamMessage;
import io.thoonk.client.Feed;
import io.thoonk.client.Published;
import io.thoonk.client.ThoonkException;
import io.thoonk.testing.RedisProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers publishing numbered items to feeds, for fault tests: each writer publishes
 * {@code w<writer>-<n>} under that id to its feed, one call at a time, at a steady rate, and
 * records which calls were acknowledged (and when) and which failed (and how). What a fault test
 * then checks: every acknowledged item is on the new primary exactly once, and how long writes
 * paused.
 */
final class WriteLoad implements AutoCloseable {

    /** One acknowledged publish. */
    record Ack(String feed, String id, long revision, long issuedNanos, long ackedNanos) {
    }

    /** One failed publish, with the exception the caller saw. */
    record Failure(String feed, String id, long issuedNanos, long failedNanos, ThoonkException error) {

        /** How long the call took to fail. */
        Duration took() {
            return Duration.ofNanos(failedNanos - issuedNanos);
        }
    }

    private final List<String> feeds;
    private final List<Thread> writers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ConcurrentLinkedQueue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> issued = new ConcurrentHashMap<>();
    private final CountDownLatch stopped;

    /**
     * Starts one writer per feed, each at {@code perSecond} calls per second (a call that takes
     * longer delays the next one: writers never overlap their own calls).
     */
    WriteLoad(List<Feed> feeds, int perSecond) {
        this.feeds = feeds.stream().map(Feed::name).toList();
        stopped = new CountDownLatch(feeds.size());
        long period = TimeUnit.SECONDS.toNanos(1) / perSecond;
        for (int w = 0; w < feeds.size(); w++) {
            Feed feed = feeds.get(w);
            String prefix = "w" + w + "-";
            Thread t = new Thread(() -> write(feed, prefix, period), "write-load-" + w);
            t.setDaemon(true);
            writers.add(t);
        }
        writers.forEach(Thread::start);
    }

    private void write(Feed feed, String prefix, long period) {
        try {
            long next = System.nanoTime();
            for (int n = 0; running.get(); n++) {
                String id = prefix + n;
                issued.merge(feed.name(), 1, Integer::sum);
                long issuedAt = System.nanoTime();
                try {
                    Published p = feed.publish("item " + id, id);
                    acks.add(new Ack(feed.name(), id, p.revision(), issuedAt, System.nanoTime()));
                } catch (ThoonkException e) {
                    failures.add(new Failure(feed.name(), id, issuedAt, System.nanoTime(), e));
                }
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    /** Stops the writers, waiting for their calls in flight (each bounded by the client's timeout). */
    void stop(Duration timeout) throws InterruptedException {
        running.set(false);
        if (!stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("writers still busy " + timeout.toMillis() + " ms after stop: a call outlived "
                    + "its deadline");
        }
    }

    List<Ack> acks() {
        return List.copyOf(acks);
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Acknowledged item ids of {@code feed}. */
    List<String> ackedIds(String feed) {
        return acks.stream().filter(a -> a.feed().equals(feed)).map(Ack::id).toList();
    }

    /** Waits, at most {@code atMost}, until {@code count} calls issued after {@code since} were acknowledged. */
    void awaitAcksIssuedAfter(long since, int count, Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofMillis(10))
                .until(() -> ackedIssuedAfter(since) >= count);
    }

    /** Acknowledged calls issued after {@code nanos}. */
    long ackedIssuedAfter(long nanos) {
        return acks.stream().filter(a -> a.issuedNanos() > nanos).count();
    }

    /**
     * The time from {@code faultNanos} to the first acknowledgement of a call issued after it:
     * what a user sees as "writes resumed".
     */
    Duration resumedAfter(long faultNanos) {
        return acks.stream().filter(a -> a.issuedNanos() > faultNanos).mapToLong(Ack::ackedNanos).min()
                .stream().mapToObj(t -> Duration.ofNanos(t - faultNanos)).findFirst()
                .orElseThrow(() -> new AssertionError("no call issued after the fault was acknowledged"));
    }

    /** How many calls issued after {@code nanos} failed, by the simple name of the exception they failed with. */
    Map<String, Long> failureCounts(long nanos) {
        return failures.stream().filter(f -> f.issuedNanos() > nanos).collect(Collectors.groupingBy(f -> f.error().getClass().getSimpleName(),
                TreeMap::new, Collectors.counting()));
    }

    /**
     * The longest pause a writer saw between two of its acknowledgements, over the pairs of
     * consecutive acknowledgements of one feed that span any time in {@code fromNanos..toNanos}.
     */
    Duration longestAckGap(long fromNanos, long toNanos) {
        long longest = 0;
        Map<String, List<Long>> times = new HashMap<>();
        acks.forEach(a -> times.computeIfAbsent(a.feed(), f -> new ArrayList<>()).add(a.ackedNanos()));
        for (List<Long> t : times.values()) {
            t.sort(Comparator.naturalOrder());
            for (int i = 1; i < t.size(); i++) {
                if (t.get(i) >= fromNanos && t.get(i - 1) <= toNanos) {
                    longest = Math.max(longest, t.get(i) - t.get(i - 1));
                }
            }
        }
        return Duration.ofNanos(longest);
    }

    /**
     * Asserts that {@code node} (the final primary) holds every acknowledged item exactly once, at
     * the revision its call was acknowledged with, and no item of these writers twice (a write
     * applied twice); returns each feed's last revision there.
     */
    Map<String, Long> assertAcknowledgedOnceOn(RedisProcess node) {
        Map<String, Long> last = new LinkedHashMap<>();
        for (String feed : feeds) {
            List<StreamMessage<String, String>> history = FaultCluster.history(node, feed);
            Map<String, List<Long>> revisions = new HashMap<>();
            for (StreamMessage<String, String> entry : history) {
                String[] fields = entry.getBody().get("e").split("\0", -1);
                assertThat(fields[1]).as("event of %s in %s on %s", entry.getId(), feed, node).isEqualTo("publish");
                revisions.computeIfAbsent(fields[2], id -> new ArrayList<>())
                        .add(Long.parseLong(entry.getId().substring(0, entry.getId().indexOf('-'))));
            }
            assertThat(revisions).as("items of %s applied more than once on %s", feed, node)
                    .allSatisfy((id, at) -> assertThat(at).as(id).hasSize(1));
            for (Ack ack : acks) {
                if (ack.feed().equals(feed)) {
                    assertThat(revisions.get(ack.id())).as("acknowledged %s of %s on %s", ack.id(), feed, node)
                            .containsExactly(ack.revision());
                }
            }
            last.put(feed, history.isEmpty() ? 0 : Long.parseLong(history.get(history.size() - 1).getId()
                    .split("-")[0]));
        }
        return last;
    }

    /** The time from {@code nanos} to the first acknowledgement after it, of any call (issued before it too). */
    Duration firstAckAfter(long nanos) {
        return Duration.ofNanos(acks.stream().mapToLong(Ack::ackedNanos).filter(t -> t > nanos).min()
                .orElseThrow(() -> new AssertionError("no call was acknowledged after the fault")) - nanos);
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(30));
    }
}
