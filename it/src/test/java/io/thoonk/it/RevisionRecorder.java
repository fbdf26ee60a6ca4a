package io.thoonk.it;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A listener that records the revisions it hears per object, to check what fault tests promise
 * subscribers: every revision once, in order, no gap.
 */
final class RevisionRecorder implements EventListener {

    private final Map<String, List<Long>> revisions = new ConcurrentHashMap<>();
    private final Map<String, List<String>> ids = new ConcurrentHashMap<>();

    @Override
    public void onEvent(Event event) {
        synchronized (this) {
            revisions.computeIfAbsent(event.object(), o -> new ArrayList<>()).add(event.revision());
            ids.computeIfAbsent(event.object(), o -> new ArrayList<>()).add(event.id());
        }
    }

    synchronized List<Long> revisions(String object) {
        return List.copyOf(revisions.getOrDefault(object, List.of()));
    }

    synchronized List<String> ids(String object) {
        return List.copyOf(ids.getOrDefault(object, List.of()));
    }

    synchronized long last(String object) {
        List<Long> heard = revisions.getOrDefault(object, List.of());
        return heard.isEmpty() ? 0 : heard.get(heard.size() - 1);
    }

    /**
     * Problems with {@code object}'s revisions heard, for an assertion message: each revision not
     * one more than the one before it (a gap or a duplicate), empty when there is none.
     */
    synchronized List<String> gapsAndDuplicates(String object, long firstExpected) {
        List<String> problems = new ArrayList<>();
        long expected = firstExpected;
        for (long r : revisions.getOrDefault(object, List.of())) {
            if (r != expected) {
                problems.add((r < expected ? "duplicate or out of order " : "gap before ") + r + " (expected "
                        + expected + ")");
            }
            expected = r + 1;
        }
        return problems;
    }

    /**
     * Waits (at most {@code within}) until revision {@code last} of {@code object} was heard, then
     * asserts that revisions 1..last were each heard once, in order.
     */
    void assertHeardOnce(String object, long last, Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(10)).until(() -> last(object) >= last);
        assertThat(gapsAndDuplicates(object, 1)).as("gaps and duplicates heard on %s", object).isEmpty();
        assertThat(revisions(object)).as("revisions heard on %s", object).hasSize(Math.toIntExact(last));
    }
}
