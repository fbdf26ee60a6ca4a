package io.thoonk.client;

import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The per-team fence a coordinator writes on a shard ({@code thoonk.team:[team]}): writes of a
 * frozen or moved team are refused atomically, so a stale router can never write to the wrong
 * shard, and reads are refused the same way, so it never reads stale data there either. A single
 * Redis client has nowhere else to go: a moved team fails at once, a frozen one is waited for
 * until the call's deadline (see {@link FrozenTeamTest} for the wait itself). Also checks the shard
 * fixture: writes reach the replica.
 */
class FenceTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.withReplicas(1);

    /** Short, so that calls waiting for a frozen team give up soon. */
    static final Duration DEADLINE = Duration.ofMillis(500);

    Thoonk thoonk;

    @BeforeEach
    void connect() {
        redis.flushAll();
        thoonk = Thoonk.connect(redis.primaryUri(), ThoonkOptions.builder().commandTimeout(DEADLINE).build());
    }

    @AfterEach
    void close() {
        thoonk.close();
    }

    @Test
    void frozen_and_moved_teams_refuse_writes_and_nothing_is_written() {
        Feed feed = thoonk.feed("team:12:news");
        feed.publish("before", "a");
        redis.primary().call("HSET thoonk.team:12 state frozen epoch 4");

        assertThatThrownBy(() -> feed.publish("during"))
                .isInstanceOf(ThoonkTimeoutException.class)
                .hasMessageContaining("team '12' is being moved").hasMessageContaining("team epoch 4");
        assertThatThrownBy(() -> thoonk.jobs("team:12:jobs").put("x")).isInstanceOf(ThoonkTimeoutException.class)
                .hasMessageContaining("being moved");
        assertThatThrownBy(() -> thoonk.registry().delete("team:12:news")).isInstanceOf(ThoonkTimeoutException.class)
                .hasMessageContaining("being moved");
        // other teams are unaffected
        assertThat(thoonk.feed("team:13:news").publish("fine").revision()).isEqualTo(1);

        redis.primary().call("HSET thoonk.team:12 state moved epoch 5");
        assertThatThrownBy(() -> feed.edit("a", "x")).isInstanceOfSatisfying(TeamFencedException.class,
                e -> assertThat(e.state()).isEqualTo("moved"));
        assertThat(redis.primary().call("GET feed.revision:team:12:news")).isEqualTo("1");
        assertThat(redis.primary().call("EXISTS feed.config:team:12:jobs")).isEqualTo("0");

        redis.primary().call("HSET thoonk.team:12 state active epoch 6");
        assertThat(feed.publish("after").revision()).isEqualTo(2);
    }

    @Test
    void reads_of_a_frozen_or_moved_team_are_refused_like_writes() {
        Feed feed = thoonk.feed("team:12:news");
        feed.publish("before", "a");
        SortedFeed sorted = thoonk.sortedFeed("team:12:list");
        sorted.append("x");
        Queue queue = thoonk.queue("team:12:queue");
        queue.put("q");
        Jobs jobs = thoonk.jobs("team:12:jobs");
        String job = jobs.put("j").id();

        for (String fence : new String[] {"state frozen epoch 4", "state moved epoch 5"}) {
            redis.primary().call("HSET thoonk.team:12 " + fence);
            String state = fence.split(" ")[1];
            List<Callable<?>> reads = List.of(
                    feed::ids, feed::all, () -> feed.get("a"), feed::revision, () -> feed.replay(0),
                    sorted::ids, sorted::all, queue::size,
                    () -> jobs.state(job), () -> jobs.result(job), () -> jobs.list(JobState.QUEUED),
                    () -> jobs.failures(job),
                    () -> thoonk.registry().typeOf("team:12:news"), () -> thoonk.registry().settings("team:12:news"));
            // all at once: a read of a frozen team waits until its deadline
            List<CompletableFuture<?>> running = reads.stream().map(FenceTest::async).toList();
            for (CompletableFuture<?> read : running) {
                assertThatThrownBy(() -> outcome(read)).satisfies(e -> {
                    if (state.equals("moved")) {
                        assertThat(e).isInstanceOfSatisfying(TeamFencedException.class, f -> {
                            assertThat(f.team()).isEqualTo("12");
                            assertThat(f.state()).isEqualTo(state);
                        });
                    } else {
                        assertThat(e).isInstanceOf(ThoonkTimeoutException.class)
                                .hasMessageContaining("could not be read: team '12' is being moved");
                    }
                });
            }
        }

        redis.primary().call("HSET thoonk.team:12 state active epoch 6");
        assertThat(feed.ids()).containsExactly("a");
        assertThat(queue.size()).isEqualTo(1);
        assertThat(jobs.state(job)).isEqualTo(JobState.QUEUED);
        assertThat(thoonk.registry().typeOf("team:12:news")).contains(ObjectType.FEED);
    }

    @Test
    void subscriptions_read_through_the_fence_so_a_moved_team_replays_nothing_stale() {
        Feed feed = thoonk.feed("team:12:news");
        feed.publish("one");
        feed.publish("two");
        redis.primary().call("HSET thoonk.team:12 state moved epoch 5");

        // "from now" starts after the revision current at the call: read through the fence
        EventRecorder fromNow = new EventRecorder();
        assertThatThrownBy(() -> thoonk.subscribe("team:12:news", fromNow))
                .isInstanceOfSatisfying(TeamFencedException.class, e -> assertThat(e.state()).isEqualTo("moved"));
        // a replay from a revision reads the history through the fence: refused, nothing replayed
        EventRecorder fromOne = new EventRecorder();
        Subscription sub = thoonk.subscribe("team:12:news", 1, fromOne);
        await().atMost(Duration.ofSeconds(10)).until(() -> !fromOne.errors.isEmpty());
        assertThat(fromOne.errors.get(0)).isInstanceOf(TeamFencedException.class);
        await().during(Duration.ofMillis(200)).until(() -> fromOne.events.isEmpty());
        assertThat(sub.lastRevision("team:12:news")).isZero();
        sub.close();

        redis.primary().call("HSET thoonk.team:12 state active epoch 6");
        EventRecorder again = new EventRecorder();
        thoonk.subscribe("team:12:news", 1, again);
        assertThat(again.awaitCount(2)).extracting(Event::item).containsExactly("one", "two");
        assertThat(again.errors).isEmpty();
    }

    /** Runs {@code read} on a thread of its own (reads of a frozen team each wait out their deadline). */
    static CompletableFuture<?> async(Callable<?> read) {
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(read.call());
            } catch (Exception e) {
                outcome.completeExceptionally(e);
            }
        }, "fence-test-read");
        thread.setDaemon(true);
        thread.start();
        return outcome;
    }

    /** The outcome of {@code call}: its value, or its own failure (not wrapped). */
    static Object outcome(CompletableFuture<?> call) throws Throwable {
        try {
            return call.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause();
        }
    }

    @Test
    void writes_reach_the_replica() {
        thoonk.feed("replicated").publish("x", "id1");
        var replica = redis.shard().replicas().get(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> "x".equals(replica.call("HGET feed.items:replicated id1")));
        assertThat(replica.call("INFO replication")).contains("role:slave");
    }
}
