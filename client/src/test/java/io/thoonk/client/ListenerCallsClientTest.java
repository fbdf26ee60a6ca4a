package io.thoonk.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners run on the pub/sub connection's I/O thread, and may still call the client, blocking
 * calls included, without waiting for themselves: every call inside a listener must end promptly
 * (a call waiting for its own thread would end only at the 10 s command timeout). That command
 * replies are never read by a thread that runs listeners is checked in {@code RedisClientsTest}.
 */
class ListenerCallsClientTest extends ClientTestSupport {

    /** Every call inside a listener must be done well within this (the command timeout is 10 s). */
    static final Duration PROMPT = Duration.ofSeconds(3);

    /** What the listener of the first test got from its calls, and where and how long it took. */
    record Handled(Event event, String thread, long millis, long copyRevision, List<String> all, long firstReplayed,
                   Optional<String> taken, Optional<String> none) {
    }

    @Test
    void a_listener_makes_blocking_calls_inside_on_event_without_deadlock() {
        Feed in = thoonk.feed("team:1:in");
        Feed out = thoonk.feed("team:1:out");
        Queue work = thoonk.queue("team:1:work");
        List<Handled> handled = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        thoonk.subscribe("team:1:in", new EventListener() {
            @Override
            public void onEvent(Event e) {
                long start = System.nanoTime();
                Published copy = out.publish("copy of " + e.item());
                List<String> all = in.all().stream().map(Item::value).toList();
                List<Long> replayed = in.replay(e.revision()).stream().map(Event::revision).toList();
                work.put(e.item());
                Optional<String> taken = work.get(Duration.ofSeconds(1));
                Optional<String> none = work.get(Duration.ofMillis(20)); // waits on a pooled connection
                handled.add(new Handled(e, Thread.currentThread().getName(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), copy.revision(), all,
                        replayed.get(0), taken, none));
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        });
        for (int i = 1; i <= 20; i++) {
            in.publish("e" + i);
        }

        await().atMost(Duration.ofSeconds(20)).failFast(() -> !errors.isEmpty()).until(() -> handled.size() == 20);
        assertThat(errors).isEmpty();
        for (int i = 0; i < 20; i++) {
            Handled h = handled.get(i);
            String item = "e" + (i + 1);
            assertThat(h.event().item()).isEqualTo(item);
            assertThat(h.millis()).as("calls of event %d took", i + 1).isLessThan(PROMPT.toMillis());
            // no hand-off: the listener runs where the event was read
            assertThat(h.thread()).startsWith("thoonk-pubsub");
            assertThat(h.copyRevision()).isEqualTo(i + 1);
            assertThat(h.all()).contains(item);
            assertThat(h.firstReplayed()).isEqualTo(i + 1);
            assertThat(h.taken()).contains(item);
            assertThat(h.none()).isEmpty();
        }
        assertThat(out.all()).extracting(Item::value)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 20).mapToObj(i -> "copy of e" + i).toList());
    }

    @Test
    void a_listener_subscribes_and_closes_subscriptions_inside_on_event_and_misses_nothing() {
        Feed control = thoonk.feed("team:2:control");
        Feed watched = thoonk.feed("team:2:watched");
        for (int i = 1; i <= 3; i++) {
            watched.publish("before " + i);
        }
        EventRecorder fromNow = new EventRecorder();
        EventRecorder fromOne = new EventRecorder();
        EventRecorder ofPattern = new EventRecorder();
        Map<String, Subscription> opened = new ConcurrentHashMap<>();
        List<Long> callMillis = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        CountDownLatch closedAll = new CountDownLatch(1);
        thoonk.subscribe("team:2:control", new EventListener() {
            @Override
            public void onEvent(Event e) {
                long start = System.nanoTime();
                switch (e.item()) {
                    case "open" -> {
                        opened.put("now", thoonk.subscribe("team:2:watched", fromNow));
                        opened.put("one", watched.subscribe(1, fromOne));
                        opened.put("pattern", thoonk.subscribePattern("team:2:p:*", ofPattern));
                        // published right after subscribing, before Redis may have confirmed it:
                        // the object subscriptions must still deliver it
                        watched.publish("from the listener");
                    }
                    case "close" -> {
                        opened.values().forEach(Subscription::close);
                        closedAll.countDown();
                    }
                    default -> throw new IllegalStateException(e.item());
                }
                callMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        });

        control.publish("open");
        fromNow.awaitCount(1);
        assertThat(fromNow.events).extracting(Event::item).containsExactly("from the listener");
        assertThat(fromNow.revisions()).containsExactly(4L);
        fromOne.awaitCount(4);
        assertThat(fromOne.revisions()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(opened.get("one").lastRevision("team:2:watched")).isEqualTo(4);
        // a pattern subscription made in a listener hears what is published once Redis confirmed it
        Feed inPattern = thoonk.feed("team:2:p:1");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            inPattern.publish("probe");
            return !ofPattern.events.isEmpty();
        });
        watched.publish("later");
        fromNow.awaitCount(2);
        fromOne.awaitCount(5);

        control.publish("close");
        await().atMost(Duration.ofSeconds(10)).until(() -> closedAll.getCount() == 0);
        watched.publish("after closing");
        inPattern.publish("after closing");
        int patternEvents = ofPattern.events.size();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() ->
                fromNow.events.size() == 2 && fromOne.events.size() == 5 && ofPattern.events.size() == patternEvents);

        assertThat(errors).isEmpty();
        assertThat(fromNow.errors).isEmpty();
        assertThat(fromOne.losses).isEmpty();
        assertThat(callMillis).hasSize(2).allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT.toMillis()));
    }

    @Test
    void a_listener_awaits_a_job_result_inside_on_event() throws Exception {
        Jobs jobs = thoonk.jobs("team:3:jobs");
        String id = jobs.put("work").id();
        CountDownLatch waiting = new CountDownLatch(1);
        List<Optional<String>> results = new CopyOnWriteArrayList<>();
        thoonk.subscribe("team:3:trigger", e -> {
            waiting.countDown();
            results.add(jobs.awaitResult(id, Duration.ofSeconds(8)));
        });
        thoonk.feed("team:3:trigger").publish("go");
        assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
        try (Thoonk worker = Thoonk.connect(redis.primaryUri())) {
            Jobs theirs = worker.jobs("team:3:jobs");
            assertThat(theirs.get(Duration.ofSeconds(5))).map(Job::id).contains(id);
            long finished = System.nanoTime();
            theirs.finish(id, "done");
            await().atMost(Duration.ofSeconds(10)).until(() -> !results.isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - finished)).isLessThan(PROMPT);
        }
        assertThat(results).containsExactly(Optional.of("done"));
    }

    @Test
    void a_listener_closes_its_own_subscription_and_then_the_client() {
        Feed feed = thoonk.feed("team:4:news");
        List<Event> events = new CopyOnWriteArrayList<>();
        Subscription[] own = new Subscription[1];
        List<Long> closeMillis = new CopyOnWriteArrayList<>();
        own[0] = thoonk.subscribe("team:4:news", e -> {
            events.add(e);
            if (e.item().equals("stop")) {
                long start = System.nanoTime();
                own[0].close();
                thoonk.close();
                closeMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        });
        feed.publish("one");
        feed.publish("stop");
        await().atMost(Duration.ofSeconds(10)).until(() -> closeMillis.size() == 1);
        assertThat(closeMillis.get(0)).isLessThan(500);
        assertThat(events).extracting(Event::item).containsExactly("one", "stop");
        // the client closes in the background
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(redis.primary().call("CLIENT LIST")).doesNotContain("name=thoonk "));
    }
}
