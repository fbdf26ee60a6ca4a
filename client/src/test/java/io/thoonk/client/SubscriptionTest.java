package io.thoonk.client;

import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SubscriptionTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    Thoonk publisher;
    Thoonk subscriber;

    @BeforeEach
    void connect() {
        redis.flushAll();
        publisher = Thoonk.connect(redis.primaryUri());
        subscriber = Thoonk.connect(redis.primaryUri());
    }

    @AfterEach
    void close() {
        publisher.close();
        subscriber.close();
    }

    @Test
    void pattern_subscription_sees_every_object_of_a_team_and_nothing_else() {
        EventRecorder events = new EventRecorder();
        subscriber.subscribePattern("team:353:*", events);
        publisher.feed("team:353:news").publish("n1");
        publisher.sortedFeed("team:353:todo").append("t1");
        publisher.feed("team:354:news").publish("other team");
        publisher.jobs("team:353:jobs").put("j1");
        publisher.feed("team:353:news").publish("n2");

        List<Event> got = events.awaitCount(4);
        assertThat(got).extracting(Event::object)
                .containsExactly("team:353:news", "team:353:todo", "team:353:jobs", "team:353:news");
        assertThat(got).extracting(Event::revision).containsExactly(1L, 1L, 1L, 2L);
        await().during(Duration.ofMillis(200)).until(() -> events.events.size() == 4);
    }

    @Test
    void subscribe_from_a_revision_replays_then_goes_live_without_gap_or_duplicate() {
        Feed feed = publisher.feed("team:1:log");
        for (int i = 1; i <= 10; i++) {
            feed.publish("e" + i);
        }
        EventRecorder events = new EventRecorder();
        Subscription sub = subscriber.subscribe("team:1:log", 4, events);
        for (int i = 11; i <= 15; i++) {
            feed.publish("e" + i);
        }
        events.awaitCount(12);
        assertThat(events.revisions()).containsExactlyElementsOf(LongStream.rangeClosed(4, 15).boxed().toList());
        assertThat(events.events.get(0).replayed()).isTrue();
        assertThat(events.events.get(0).item()).isEqualTo("e4");
        assertThat(sub.lastRevision("team:1:log")).isEqualTo(15);
        assertThat(events.losses).isEmpty();
    }

    @Test
    void replay_returns_history_and_reports_when_it_no_longer_reaches_back() {
        // The history keeps at least history_length entries; Redis trims it in whole stream nodes
        // (100 entries by default), so 250 changes are enough to lose the first ones.
        publisher.registry().create("short", ObjectType.FEED, Map.of("history_length", "5"));
        Feed feed = publisher.feed("short");
        for (int i = 1; i <= 250; i++) {
            feed.publish("e" + i, "id" + i);
        }
        assertThat(feed.replay(246)).extracting(Event::revision).containsExactly(246L, 247L, 248L, 249L, 250L);
        assertThat(feed.replay(251)).isEmpty();
        long[] oldest = new long[1];
        assertThatThrownBy(() -> feed.replay(3))
                .isInstanceOfSatisfying(HistoryTruncatedException.class, e -> {
                    assertThat(e.requestedRevision()).isEqualTo(3);
                    oldest[0] = e.oldestAvailableRevision();
                });
        assertThat(oldest[0]).isBetween(4L, 246L);
        assertThat(feed.replay(oldest[0])).extracting(Event::revision)
                .containsExactlyElementsOf(LongStream.rangeClosed(oldest[0], 250).boxed().toList());

        EventRecorder events = new EventRecorder();
        subscriber.subscribe("short", 1, events);
        int kept = (int) (250 - oldest[0] + 1);
        events.awaitCount(kept);
        assertThat(events.losses).hasSize(1);
        assertThat(events.losses.get(0)).containsExactly(1, oldest[0]);
        assertThat(events.revisions()).containsExactlyElementsOf(LongStream.rangeClosed(oldest[0], 250).boxed().toList());
    }

    @Test
    void forced_disconnects_do_not_lose_reorder_or_repeat_events() throws Exception {
        // History long enough for the slowest reconnect on a loaded machine: this test is about
        // ordering and replay, not about truncation (tested above).
        publisher.registry().create("team:7:stream", ObjectType.FEED, Map.of("history_length", "10000"));
        EventRecorder events = new EventRecorder();
        subscriber.subscribe("team:7:stream", events);
        Feed feed = publisher.feed("team:7:stream");
        int total = 3000;
        int chunk = 300;
        // The writer publishes in chunks; between two chunks the test kills the subscriber's
        // pub/sub connection, so every run has the same number of forced disconnects mid-stream.
        Semaphore chunkDone = new Semaphore(0);
        Semaphore goOn = new Semaphore(0);
        Thread writer = new Thread(() -> {
            for (int i = 1; i <= total; i++) {
                feed.publish("e" + i);
                if (i % chunk == 0 && i < total) {
                    chunkDone.release();
                    goOn.acquireUninterruptibly();
                }
            }
        });
        writer.start();
        int kills = 0;
        for (int c = 1; c < total / chunk; c++) {
            assertThat(chunkDone.tryAcquire(10, TimeUnit.SECONDS)).as("chunk %d written", c).isTrue();
            redis.primary().call("CLIENT KILL TYPE pubsub");
            kills++;
            goOn.release();
        }
        writer.join(Duration.ofSeconds(30).toMillis());
        assertThat(writer.isAlive()).as("writer finished").isFalse();
        await().atMost(Duration.ofSeconds(20)).failFast("history lost", () -> !events.losses.isEmpty())
                .until(() -> events.events.size() >= total);
        assertThat(kills).isEqualTo(total / chunk - 1);
        assertThat(events.revisions()).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
        assertThat(events.events).filteredOn(Event::replayed).isNotEmpty();
        assertThat(events.losses).isEmpty();
    }

    @Test
    void events_missed_while_disconnected_before_the_first_event_are_caught_up() {
        EventRecorder events = new EventRecorder();
        subscriber.subscribe("team:7:late", events);
        redis.primary().call("CLIENT KILL TYPE pubsub");
        publisher.feed("team:7:late").publish("while away");
        events.awaitCount(1);
        assertThat(events.revisions()).containsExactly(1L);
    }

    @Test
    void a_skipped_revision_is_filled_from_history() {
        // Writes made while nobody listens: published straight to the history and revision keys
        // (no pub/sub message), as if the subscriber had missed them.
        Feed feed = publisher.feed("gappy");
        feed.publish("e1");
        EventRecorder events = new EventRecorder();
        subscriber.subscribe("gappy", events);
        feed.publish("e2");
        events.awaitCount(1);
        redis.primary().call("INCR feed.revision:gappy");
        redis.primary().call("XADD feed.history:gappy 3-0 e 3\0publish\0silent\0\0" + "0\0e3-silent");
        feed.publish("e4");
        events.awaitCount(3);
        assertThat(events.revisions()).containsExactly(2L, 3L, 4L);
        assertThat(events.events.get(1).replayed()).isTrue();
        assertThat(events.events.get(1).item()).isEqualTo("e3-silent");
    }

    @Test
    void history_entries_in_the_first_format_still_replay() {
        // Before entries held the event message (field e), they had fields t, i, p and v.
        redis.primary().call("SET feed.revision:team:6:old 2");
        redis.primary().call("XADD feed.history:team:6:old 1-0 t publish i x p - v hello");
        redis.primary().call("XADD feed.history:team:6:old 2-0 e 2\0edit\0x\0\0" + "1\0hello!");
        assertThat(publisher.feed("team:6:old").replay(1))
                .containsExactly(new Event("team:6:old", EventType.PUBLISH, "x", "hello", "-", 1, true),
                        new Event("team:6:old", EventType.EDIT, "x", "hello!", "", 2, true));
    }

    @Test
    void delete_is_an_event_and_revisions_continue_after_recreation() {
        EventRecorder events = new EventRecorder();
        subscriber.subscribe("team:5:temp", events);
        Feed feed = publisher.feed("team:5:temp");
        feed.publish("a");
        assertThat(publisher.registry().delete("team:5:temp")).isTrue();
        assertThat(publisher.registry().delete("team:5:temp")).isFalse();
        assertThat(feed.ids()).isEmpty();
        assertThat(publisher.registry().names()).doesNotContain("team:5:temp");
        feed.publish("b");
        events.awaitCount(3);
        assertThat(events.types()).containsExactly(EventType.PUBLISH, EventType.DELETE, EventType.PUBLISH);
        assertThat(events.revisions()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void a_failing_listener_does_not_stop_delivery() {
        AtomicInteger seen = new AtomicInteger();
        EventRecorder errors = new EventRecorder();
        subscriber.subscribe("fragile", new EventListener() {
            @Override
            public void onEvent(Event event) {
                if (seen.incrementAndGet() == 1) {
                    throw new IllegalStateException("boom");
                }
            }

            @Override
            public void onError(Throwable error) {
                errors.onError(error);
            }
        });
        publisher.feed("fragile").publish("1");
        publisher.feed("fragile").publish("2");
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.get() == 2);
        assertThat(errors.errors).hasSize(1);
    }

    @Test
    void closed_subscription_receives_nothing_more() {
        EventRecorder events = new EventRecorder();
        Subscription sub = subscriber.subscribe("quiet", events);
        publisher.feed("quiet").publish("1");
        events.awaitCount(1);
        sub.close();
        sub.close();
        publisher.feed("quiet").publish("2");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                redis.primary().call("PUBSUB NUMSUB feed.event:quiet").endsWith("\n0"));
        assertThat(events.events).hasSize(1);
    }
}
