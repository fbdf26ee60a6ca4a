package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Every call to a shard that stopped answering ends within its deadline with a specific exception,
 * blocking or not, and calls do not pile up without bound: a real redis-server is killed (SIGKILL)
 * or frozen (SIGSTOP) under a single-shard client and under a routing client, while thousands of
 * asynchronous publishes and reads are issued at 2,000 per second.
 */
class CallDeadlineTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** What a deadline may overshoot by: the timer's tick and a busy two-core machine. */
    private static final Duration SLACK = Duration.ofMillis(2_000);
    private static final int QUEUE_LIMIT = 500;
    private static final int FEEDS = 20;
    private static final int CALLS = 4_000;
    private static final int CALLS_PER_MS = 2;
    private static final ThoonkOptions OPTIONS = ThoonkOptions.builder().commandTimeout(TIMEOUT)
            .maxQueuedCalls(QUEUE_LIMIT).build();

    private final Closer opened = new Closer();

    /** The first client of a JVM loads Lettuce and Netty: not what the short deadlines here are about. */
    @BeforeAll
    static void warmUp() {
        try (RedisProcess redis = RedisProcess.start(); Thoonk thoonk = Thoonk.connect(redis.uri())) {
            thoonk.feed("warm-up").publish("x");
        }
    }

    @AfterEach
    void closeAll() {
        opened.close();
    }

    @Test
    void single_shard_client_calls_to_a_killed_primary_end_within_their_deadline() {
        RedisProcess redis = opened.add(RedisProcess.start());
        callsEndWithinTheirDeadline(Thoonk.connect(redis.uri(), OPTIONS), redis::kill);
    }

    @Test
    void single_shard_client_calls_to_a_frozen_primary_end_within_their_deadline() {
        RedisProcess redis = opened.add(RedisProcess.start());
        opened.add(redis::resume);
        callsEndWithinTheirDeadline(Thoonk.connect(redis.uri(), OPTIONS), redis::pause);
    }

    @Test
    void routing_client_calls_to_a_killed_primary_end_within_their_deadline() {
        LocalCluster cluster = opened.add(LocalCluster.builder().shards("s0").start());
        callsEndWithinTheirDeadline(Thoonk.connectCluster(cluster.coordinators().addresses(), OPTIONS),
                cluster.shard("s0").primary()::kill);
    }

    /** One asynchronous call: when it was made and when (and how) it ended. */
    private record Call(long issuedNanos, CompletableFuture<Long> endedNanos, CompletableFuture<?> result) {
    }

    private void callsEndWithinTheirDeadline(Thoonk thoonk, Runnable fault) {
        List<Feed> feeds = new ArrayList<>();
        for (int i = 0; i < FEEDS; i++) {
            Feed feed = thoonk.feed("team:1:feed" + i);
            feed.publish("before the fault");
            feeds.add(feed);
        }
        fault.run();

        long blockingStart = System.nanoTime();
        assertThatThrownBy(() -> feeds.get(0).publish("blocking"))
                .isInstanceOfAny(ThoonkTimeoutException.class, ThoonkConnectionException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - blockingStart)).isLessThan(TIMEOUT.plus(SLACK));

        List<Call> calls = new ArrayList<>(CALLS);
        long start = System.nanoTime();
        for (int i = 0; i < CALLS; i++) {
            long due = start + TimeUnit.MILLISECONDS.toNanos(i / CALLS_PER_MS);
            while (System.nanoTime() < due) {
                LockSupport.parkNanos(100_000); // pacing the load, not waiting for an outcome
            }
            Feed feed = feeds.get(i % FEEDS);
            CompletableFuture<?> result = (i % 2 == 0 ? feed.async().publish("x " + i) : feed.async().revision())
                    .toCompletableFuture();
            CompletableFuture<Long> ended = new CompletableFuture<>();
            result.whenComplete((v, e) -> ended.complete(System.nanoTime()));
            calls.add(new Call(System.nanoTime(), ended, result));
        }

        await("every call ended").atMost(TIMEOUT.plus(SLACK).plusSeconds(2))
                .until(() -> calls.stream().allMatch(c -> c.result().isDone()));
        int rejectedAtOnce = 0;
        for (Call call : calls) {
            Duration took = Duration.ofNanos(call.endedNanos().join() - call.issuedNanos());
            assertThat(took).as("a call to a dead shard ends within its deadline").isLessThan(TIMEOUT.plus(SLACK));
            Throwable error = call.result().handle((v, e) -> e).join();
            assertThat(error).isNotNull();
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            assertThat(cause).isInstanceOfAny(ThoonkTimeoutException.class, ThoonkConnectionException.class);
            if (cause instanceof ThoonkConnectionException && took.compareTo(Duration.ofMillis(200)) < 0) {
                rejectedAtOnce++;
            }
        }
        assertThat(rejectedAtOnce).as("calls beyond %d waiting ones fail at once", QUEUE_LIMIT).isPositive();

        // the calls that timed out no longer count as waiting: a new call is let through and times out
        Throwable probe = feeds.get(1).async().revision().toCompletableFuture().handle((v, e) -> e).join();
        assertThat(probe instanceof CompletionException ? probe.getCause() : probe)
                .isInstanceOf(ThoonkTimeoutException.class);

        long closeStart = System.nanoTime();
        thoonk.close();
        assertThat(Duration.ofNanos(System.nanoTime() - closeStart)).isLessThan(Duration.ofSeconds(8));
    }
}
