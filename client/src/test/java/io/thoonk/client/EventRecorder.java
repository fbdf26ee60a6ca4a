package io.thoonk.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/** Collects a subscription's events and history losses for assertions. */
final class EventRecorder implements EventListener {

    final List<Event> events = new CopyOnWriteArrayList<>();
    final List<long[]> losses = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(Event event) {
        events.add(event);
    }

    @Override
    public void onHistoryLost(String object, long missingFrom, long resumedAt) {
        losses.add(new long[] {missingFrom, resumedAt});
    }

    @Override
    public void onError(Throwable error) {
        errors.add(error);
    }

    /** Waits until at least {@code n} events arrived and returns them. */
    List<Event> awaitCount(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= n);
        return List.copyOf(events);
    }

    List<Long> revisions() {
        return events.stream().map(Event::revision).toList();
    }

    List<EventType> types() {
        return events.stream().map(Event::type).toList();
    }
}
