package io.thoonk.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FeedTest extends ClientTestSupport {

    @Test
    void publish_edit_retract_with_events_and_revisions() {
        Feed feed = thoonk.feed("team:1:news");
        EventRecorder events = new EventRecorder();
        feed.subscribe(events);

        Published first = feed.publish("hello");
        Published second = feed.publish("world", "w");
        Published edited = feed.edit("w", "world!");
        assertThat(feed.retract(first.id())).isTrue();
        assertThat(feed.retract("absent")).isFalse();

        assertThat(first.revision()).isEqualTo(1);
        assertThat(second).isEqualTo(new Published("w", 2));
        assertThat(edited.revision()).isEqualTo(3);
        List<Event> got = events.awaitCount(4);
        assertThat(got).extracting(Event::type)
                .containsExactly(EventType.PUBLISH, EventType.PUBLISH, EventType.EDIT, EventType.RETRACT);
        assertThat(got).extracting(Event::revision).containsExactly(1L, 2L, 3L, 4L);
        assertThat(got.get(2).item()).isEqualTo("world!");
        assertThat(got.get(3).id()).isEqualTo(first.id());
        assertThat(feed.ids()).containsExactly("w");
        assertThat(feed.get("w")).contains(new Item("w", "world!", 3));
        assertThat(feed.get(first.id())).isEmpty();
        assertThat(feed.revision()).isEqualTo(4);
        assertThat(events.errors).isEmpty();
    }

    @Test
    void items_keep_publish_order_even_within_one_millisecond() {
        Feed feed = thoonk.feed("ordered");
        List<CompletableFuture<Published>> pending = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            pending.add(feed.async().publish("item-" + i, "id-" + (999 - i)).toCompletableFuture());
        }
        pending.forEach(CompletableFuture::join);
        assertThat(feed.ids()).containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "id-" + (999 - i)).toList());
        assertThat(feed.all()).extracting(Item::value)
                .containsExactlyElementsOf(IntStream.range(0, 300).mapToObj(i -> "item-" + i).toList());
    }

    @Test
    void publish_of_an_existing_id_is_an_edit_and_makes_it_newest() {
        Feed feed = thoonk.feed("edits");
        feed.publish("a", "1");
        feed.publish("b", "2");
        feed.publish("a2", "1");
        assertThat(feed.ids()).containsExactly("2", "1");
        assertThat(feed.get("1").orElseThrow().value()).isEqualTo("a2");
    }

    @Test
    void max_length_drops_oldest_announces_each_and_never_the_new_id() {
        thoonk.registry().create("capped", ObjectType.FEED, Map.of("max_length", "3"));
        Feed feed = thoonk.feed("capped");
        EventRecorder events = new EventRecorder();
        feed.subscribe(events);
        for (int i = 1; i <= 5; i++) {
            feed.publish("v" + i, "id" + i);
        }
        assertThat(feed.ids()).containsExactly("id3", "id4", "id5");
        events.awaitCount(7);
        assertThat(events.events).filteredOn(e -> e.type() == EventType.RETRACT).extracting(Event::id)
                .containsExactly("id1", "id2");
        assertThat(events.revisions()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);

        // Republishing the oldest id makes it newest: it must survive, the next oldest goes.
        feed.publish("again", "id3");
        assertThat(feed.ids()).containsExactly("id4", "id5", "id3");
    }

    @Test
    void trimming_holds_under_concurrent_publishers() throws Exception {
        thoonk.registry().create("busy", ObjectType.FEED, Map.of("max_length", "50"));
        Set<String> retracted = ConcurrentHashMap.newKeySet();
        Set<String> published = ConcurrentHashMap.newKeySet();
        EventRecorder events = new EventRecorder();
        thoonk.subscribe("busy", events);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread publisher = new Thread(() -> {
                Feed feed = thoonk.feed("busy");
                List<CompletableFuture<Published>> pending = new ArrayList<>();
                for (int i = 0; i < 250; i++) {
                    pending.add(feed.async().publish("x", thread + "-" + i).toCompletableFuture());
                }
                pending.forEach(f -> published.add(f.join().id()));
            });
            publisher.start();
            publishers.add(publisher);
        }
        for (Thread p : publishers) {
            p.join();
        }
        Feed feed = thoonk.feed("busy");
        List<String> ids = feed.ids();
        assertThat(ids).hasSize(50);
        assertThat(published).hasSize(1000);
        events.awaitCount(1000 + 950);
        events.events.stream().filter(e -> e.type() == EventType.RETRACT).forEach(e -> retracted.add(e.id()));
        assertThat(retracted).hasSize(950).doesNotContainAnyElementsOf(ids);
        Set<String> union = new java.util.HashSet<>(retracted);
        union.addAll(ids);
        assertThat(union).isEqualTo(published);
        assertThat(events.revisions()).isSorted().doesNotHaveDuplicates().hasSize(1950);
        assertThat(feed.all()).hasSize(50);
    }

    @Test
    void stale_edit_fails_with_the_current_revision_and_writes_nothing() {
        Feed feed = thoonk.feed("doc");
        Published v1 = feed.publish("draft", "doc-1");
        Published v2 = feed.edit("doc-1", "second", v1.revision());
        assertThat(v2.revision()).isGreaterThan(v1.revision());

        assertThatThrownBy(() -> feed.edit("doc-1", "stale", v1.revision()))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.currentRevision()).isEqualTo(v2.revision());
                    assertThat(e.expectedRevision()).isEqualTo(v1.revision());
                    assertThat(e.getMessage()).contains("doc-1").contains("re-read");
                });
        assertThat(feed.get("doc-1").orElseThrow().value()).isEqualTo("second");
        assertThat(feed.revision()).isEqualTo(v2.revision());

        // expected revision 0: create only if absent
        assertThat(feed.edit("doc-2", "new", 0).revision()).isEqualTo(3);
        assertThatThrownBy(() -> feed.edit("doc-2", "again", 0)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> feed.retract("doc-2", 1)).isInstanceOf(ConflictException.class);
        assertThat(feed.retract("doc-2", 3)).isTrue();
    }

    @Test
    void edit_of_unknown_id_is_refused() {
        Feed feed = thoonk.feed("doc");
        assertThatThrownBy(() -> feed.edit("nope", "x"))
                .isInstanceOfSatisfying(NoSuchItemException.class, e -> assertThat(e.id()).isEqualTo("nope"));
        assertThat(feed.ids()).isEmpty();
        assertThat(feed.revision()).isZero();
    }

    @Test
    void publishes_arriving_while_one_runs_share_script_calls_yet_each_is_its_own_change() {
        Feed feed = thoonk.feed("team:1:burst");
        feed.publish("warm-up", "w");
        EventRecorder events = new EventRecorder();
        feed.subscribe(events);
        List<String> ids = IntStream.range(0, 1000).mapToObj(i -> "id-" + i).toList();

        redis.primary().call("CONFIG RESETSTAT");
        List<Published> done = publishWhilePaused(feed, ids);

        assertThat(done).extracting(Published::id).containsExactlyElementsOf(ids);
        assertThat(done).extracting(Published::revision).containsExactlyElementsOf(LongStream.rangeClosed(2, 1001).boxed().toList());
        // The first went alone (a feed has one call in flight at a time); the 999 that queued behind
        // it left in full batches of 64.
        assertThat(scriptCalls()).isEqualTo(1 + (999 + 63) / 64);
        List<Event> got = events.awaitCount(1000);
        assertThat(got).extracting(Event::revision).containsExactlyElementsOf(LongStream.rangeClosed(2, 1001).boxed().toList());
        assertThat(got).extracting(Event::id).containsExactlyElementsOf(ids);
        assertThat(got).extracting(Event::type).containsOnly(EventType.PUBLISH);
        assertThat(feed.ids()).hasSize(1001).startsWith("w").endsWith("id-999");
        assertThat(feed.replay(2)).extracting(Event::item).containsExactlyElementsOf(
                IntStream.range(0, 1000).mapToObj(i -> "item-" + i).toList());
    }

    @Test
    void publish_batch_of_one_sends_every_publish_on_its_own() {
        try (Thoonk unbatched = Thoonk.connect(redis.primaryUri(), ThoonkOptions.builder().publishBatch(1).build())) {
            Feed feed = unbatched.feed("team:1:single");
            feed.publish("warm-up", "w");
            List<String> ids = IntStream.range(0, 100).mapToObj(i -> "id-" + i).toList();
            redis.primary().call("CONFIG RESETSTAT");
            assertThat(publishWhilePaused(feed, ids)).extracting(Published::revision)
                    .containsExactlyElementsOf(LongStream.rangeClosed(2, 101).boxed().toList());
            assertThat(scriptCalls()).isEqualTo(100);
        }
    }

    @Test
    void a_shared_script_call_that_fails_fails_each_of_its_publishes_and_writes_nothing() {
        thoonk.queue("team:1:work").put("task");
        Feed wrong = thoonk.feed("team:1:work");
        List<CompletableFuture<Published>> pending = new ArrayList<>();
        redis.primary().pause();
        try {
            for (int i = 0; i < 50; i++) {
                pending.add(wrong.async().publish("item-" + i).toCompletableFuture());
            }
        } finally {
            redis.primary().resume();
        }
        for (CompletableFuture<Published> p : pending) {
            assertThatThrownBy(p::join).hasCauseInstanceOf(WrongTypeException.class);
        }
        assertThat(redis.primary().call("HLEN feed.items:team:1:work")).isEqualTo("1");
        assertThat(redis.primary().call("GET feed.revision:team:1:work")).isEqualTo("1");
    }

    @Test
    void a_thread_s_publish_edit_and_retract_of_an_item_reach_redis_in_order_even_when_publishes_queue() {
        Feed feed = thoonk.feed("team:1:ordered-writes");
        feed.publish("warm-up", "w");
        List<CompletableFuture<?>> pending = new ArrayList<>();
        redis.primary().pause();
        try {
            for (int i = 0; i < 50; i++) {
                String id = "id-" + i;
                pending.add(feed.async().publish("v1", id).toCompletableFuture());
                pending.add(feed.async().edit(id, "v2").toCompletableFuture());
                if (i % 2 == 0) {
                    pending.add(feed.async().retract(id).toCompletableFuture());
                }
            }
        } finally {
            redis.primary().resume();
        }
        List<Object> results = pending.stream().map(CompletableFuture::join).map(o -> (Object) o).toList();
        assertThat(results).filteredOn(r -> r instanceof Boolean).containsOnly(true).hasSize(25);
        assertThat(feed.ids()).containsExactlyElementsOf(Stream.concat(Stream.of("w"),
                IntStream.range(0, 50).filter(i -> i % 2 == 1).mapToObj(i -> "id-" + i)).toList());
        assertThat(feed.all()).filteredOn(item -> !item.id().equals("w")).extracting(Item::value).containsOnly("v2");
        assertThat(feed.revision()).isEqualTo(1 + 50 + 50 + 25);
    }

    @Test
    void numeric_settings_are_stored_plainly_and_a_peer_s_odd_history_length_falls_back_to_the_default() {
        thoonk.registry().create("team:4:f", ObjectType.FEED, Map.of("history_length", "0100", "max_length", "+5"));
        assertThat(redis.primary().call("HGET feed.config:team:4:f history_length")).isEqualTo("100");
        assertThat(redis.primary().call("HGET feed.config:team:4:f max_length")).isEqualTo("5");

        // A peer wrote something XADD's MAXLEN would refuse: writes still work, with the default history.
        redis.primary().call("HSET feed.config:team:4:f history_length 00");
        Feed feed = thoonk.feed("team:4:f");
        assertThat(feed.publish("a").revision()).isEqualTo(1);
        assertThat(feed.replay(1)).extracting(Event::item).containsExactly("a");
    }

    @Test
    void closing_the_client_fails_queued_publishes_instead_of_leaving_them_waiting() {
        Thoonk closing = Thoonk.connect(redis.primaryUri());
        Feed feed = closing.feed("team:1:closing");
        feed.publish("warm-up");
        List<CompletableFuture<Published>> pending = new ArrayList<>();
        redis.primary().pause();
        try {
            for (int i = 0; i < 200; i++) {
                pending.add(feed.async().publish("item-" + i).toCompletableFuture());
            }
            closing.close();
        } finally {
            redis.primary().resume();
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new));
        assertThatThrownBy(() -> all.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        assertThat(pending).allMatch(CompletableFuture::isCompletedExceptionally);
    }

    /** Publishes {@code ids} (items "item-N") without waiting, with Redis stopped meanwhile, so they queue. */
    private static List<Published> publishWhilePaused(Feed feed, List<String> ids) {
        List<CompletableFuture<Published>> pending = new ArrayList<>();
        redis.primary().pause();
        try {
            for (int i = 0; i < ids.size(); i++) {
                pending.add(feed.async().publish("item-" + i, ids.get(i)).toCompletableFuture());
            }
        } finally {
            redis.primary().resume();
        }
        return pending.stream().map(CompletableFuture::join).toList();
    }

    @Test
    void a_blocking_call_to_a_frozen_redis_fails_at_its_deadline_with_the_call_s_own_exception_naming_the_object() {
        Duration deadline = Duration.ofMillis(400);
        try (Thoonk quick = Thoonk.connect(redis.primaryUri(), ThoonkOptions.builder().commandTimeout(deadline).build())) {
            Feed feed = quick.feed("team:1:frozen");
            feed.publish("before"); // connected, scripts loaded
            redis.primary().pause();
            try {
                for (int i = 0; i < 4; i++) {
                    String item = "during " + i;
                    long start = System.nanoTime();
                    // not the blocking wait's own vaguer timeout, which would win the race with the call's deadline
                    assertThatThrownBy(() -> feed.publish(item)).isInstanceOf(ThoonkTimeoutException.class)
                            .hasMessageContaining("'team:1:frozen'");
                    assertThatThrownBy(feed::ids).isInstanceOf(ThoonkTimeoutException.class)
                            .hasMessageContaining("'team:1:frozen'");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(deadline.multipliedBy(2)
                            .plusMillis(500));
                }
            } finally {
                redis.primary().resume();
            }
        }
    }

    /** Script calls Redis ran since the last CONFIG RESETSTAT. */
    private static long scriptCalls() {
        String stats = redis.primary().call("INFO commandstats");
        return stats.lines().filter(l -> l.startsWith("cmdstat_evalsha:") || l.startsWith("cmdstat_eval:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("^[^:]+:calls=(\\d+),.*", "$1"))).sum();
    }
}
