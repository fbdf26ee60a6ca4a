package io.thoonk.client;

import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Durable acknowledgements on a real primary and replica: a {@link Durability#REPLICATED} write is
 * acknowledged only once the replica has it ({@code WAIT 1}), and fails with
 * {@link WriteOutcomeUnknownException} within the replication timeout when the replica is frozen
 * (SIGSTOP), while {@link Durability#PRIMARY} writes go on; coalesced publishes share one WAIT; a
 * single-Redis client defaults to primary acknowledgements.
 */
class DurabilityTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.withReplicas(1);

    static final Duration REPLICATION_TIMEOUT = Duration.ofMillis(800);

    Thoonk replicated;
    Thoonk defaults;

    @BeforeEach
    void connect() {
        // a replica paused by the test before has caught up (its link is up and it acknowledged everything)
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String info = redis.primary().call("INFO replication");
            Matcher offset = Pattern.compile("master_repl_offset:(\\d+)").matcher(info);
            return offset.find() && info.contains("state=online,offset=" + offset.group(1) + ",");
        });
        redis.flushAll();
        redis.primary().call("CONFIG RESETSTAT");
        replicated = Thoonk.connect(redis.primaryUri(), ThoonkOptions.builder().durability(Durability.REPLICATED)
                .replicationTimeout(REPLICATION_TIMEOUT).build());
        defaults = Thoonk.connect(redis.primaryUri());
    }

    @AfterEach
    void close() {
        replica().resume();
        replicated.close();
        defaults.close();
    }

    RedisProcess replica() {
        return redis.shard().replicas().get(0);
    }

    /** How many WAIT commands the primary ran since the last CONFIG RESETSTAT. */
    long waitCalls() {
        Matcher m = Pattern.compile("cmdstat_wait:calls=(\\d+)").matcher(redis.primary().call("INFO commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void a_replicated_write_is_acknowledged_with_the_replica_holding_it() {
        for (int round = 1; round <= 2; round++) {
            // round 1 also loads the scripts (a NOSCRIPT answer sends the source and a WAIT again)
            redis.primary().call("CONFIG RESETSTAT");
            Published p = replicated.feed("team:1:news").publish("hello " + round, "a" + round);
            assertThat(replica().call("HGET feed.items:team:1:news a" + round)).isEqualTo("hello " + round);
            assertThat(p.revision()).isEqualTo(round);
            replicated.queue("team:1:q").put("x");
            replicated.jobs("team:1:j").put("job", "j" + round, Priority.NORMAL);
            replicated.sortedFeed("team:1:s").append("s");
        }
        assertThat(waitCalls()).isEqualTo(4);
        assertThat(replicated.feed("team:1:news").ids()).as("reads do not wait").containsExactly("a1", "a2");
        assertThat(waitCalls()).isEqualTo(4);
    }

    @Test
    void a_replicated_write_no_replica_confirms_fails_as_outcome_unknown_and_primary_writes_go_on() {
        Feed feed = replicated.feed("team:2:news");
        feed.publish("before", "a");
        replica().pause();

        long start = System.nanoTime();
        assertThatThrownBy(() -> feed.publish("during", "b"))
                .isInstanceOfSatisfying(WriteOutcomeUnknownException.class, e -> {
                    assertThat(e.object()).isEqualTo("team:2:news");
                    assertThat(e.shard()).isEqualTo("single");
                    assertThat(e).hasMessageContaining("no replica confirmed it within")
                            .hasMessageContaining("replicationTimeout");
                })
                .isInstanceOf(ThoonkTimeoutException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isBetween(REPLICATION_TIMEOUT.minusMillis(50), REPLICATION_TIMEOUT.plusSeconds(1));
        assertThat(redis.primary().call("HGET feed.items:team:2:news b")).as("the primary applied it").isEqualTo("during");

        start = System.nanoTime();
        assertThat(feed.withDurability(Durability.PRIMARY).publish("primary only", "c").revision()).isEqualTo(3);
        assertThat(defaults.feed("team:2:news").publish("single-Redis default", "d").revision()).isEqualTo(4);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REPLICATION_TIMEOUT);
        assertThatThrownBy(() -> replicated.queue("team:2:q").put("x")).isInstanceOf(WriteOutcomeUnknownException.class);
        assertThat(replicated.queue("team:2:q").withDurability(Durability.AUTO).put("y").revision()).isEqualTo(2);

        replica().resume();
        assertThat(feed.publish("after", "e").revision()).isEqualTo(5);
        assertThat(replica().call("HGET feed.items:team:2:news e")).isEqualTo("after");
    }

    @Test
    void coalesced_publishes_share_one_wait() {
        Feed feed = replicated.feed("team:3:news");
        List<CompletableFuture<Published>> writes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            writes.add(feed.async().publish("item " + i).toCompletableFuture());
        }
        writes.forEach(CompletableFuture::join);
        assertThat(feed.revision()).isEqualTo(300);
        assertThat(waitCalls()).as("one WAIT per script call, not per publish").isBetween(5L, 60L);

        replica().pause();
        writes.clear();
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            writes.add(feed.async().publish("unconfirmed " + i).toCompletableFuture());
        }
        for (CompletableFuture<Published> w : writes) {
            assertThatThrownBy(w::join).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(WriteOutcomeUnknownException.class);
        }
        // the first publish goes alone, the other 99 wait for it and then go as one batch: two WAITs, not 100
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REPLICATION_TIMEOUT.multipliedBy(4));
    }

    @Test
    void a_replica_that_stops_answering_holds_writes_up_for_two_replication_timeouts_not_one_per_write() {
        replica().pause();
        List<CompletableFuture<Published>> writes = new ArrayList<>();
        long start = System.nanoTime();
        // different feeds: one script and one WAIT each (not coalesced), all in flight at once
        for (int i = 0; i < 10; i++) {
            writes.add(replicated.feed("team:5:news-" + i).async().publish("unconfirmed").toCompletableFuture());
        }
        CompletableFuture<Published> primaryOnly = replicated.feed("team:5:other").withDurability(Durability.PRIMARY)
                .async().publish("not waiting for replicas").toCompletableFuture();
        assertThat(primaryOnly.join().revision()).isEqualTo(1);
        Duration primaryTook = Duration.ofNanos(System.nanoTime() - start);
        for (CompletableFuture<Published> w : writes) {
            assertThatThrownBy(w::join).hasCauseInstanceOf(WriteOutcomeUnknownException.class);
        }
        Duration allTook = Duration.ofNanos(System.nanoTime() - start);
        // one WAIT in flight, the others share the next: two timeouts, not ten one after the other
        assertThat(primaryTook).as("a primary-only write behind them").isLessThan(REPLICATION_TIMEOUT.multipliedBy(3));
        assertThat(allTook).isLessThan(REPLICATION_TIMEOUT.multipliedBy(3));
        assertThat(waitCalls()).isLessThanOrEqualTo(3);
    }

    @Test
    void publishes_asking_for_different_durabilities_are_not_coalesced_together() {
        replica().pause();
        Feed feed = replicated.feed("team:4:news");
        List<CompletableFuture<Published>> replicatedWrites = new ArrayList<>();
        List<CompletableFuture<Published>> primaryWrites = new ArrayList<>();
        AsyncFeed primaryView = feed.withDurability(Durability.PRIMARY).async();
        for (int i = 0; i < 20; i++) {
            replicatedWrites.add(feed.async().publish("r" + i).toCompletableFuture());
        }
        for (int i = 0; i < 20; i++) {
            primaryWrites.add(primaryView.publish("p" + i).toCompletableFuture());
        }
        primaryWrites.forEach(CompletableFuture::join);
        replicatedWrites.forEach(w -> assertThatThrownBy(w::join).hasCauseInstanceOf(WriteOutcomeUnknownException.class));
    }

    @Test
    void the_replication_timeout_is_validated_and_defaults_below_the_command_timeout() {
        assertThat(ThoonkOptions.defaults().replicationTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(ThoonkOptions.defaults().durability()).isEqualTo(Durability.AUTO);
        assertThat(ThoonkOptions.builder().commandTimeout(Duration.ofSeconds(1)).build().replicationTimeout())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(ThoonkOptions.defaults().toBuilder().commandTimeout(Duration.ofSeconds(1)).build()
                .replicationTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> ThoonkOptions.builder().commandTimeout(Duration.ofSeconds(2))
                .replicationTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("below commandTimeout");
        assertThatThrownBy(() -> ThoonkOptions.builder().replicationTimeout(Duration.ZERO).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> replicated.feed("team:1:x").withDurability(null)).isInstanceOf(NullPointerException.class);
    }
}
