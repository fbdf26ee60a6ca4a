package io.thoonk.bench;

import io.thoonk.client.AsyncFeed;
import io.thoonk.client.Thoonk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a {@link MoveCase}'s team through a client as fast as it takes them: asynchronous publishes
 * (which the client coalesces into batched script calls), {@value #WINDOW} in flight, the feeds
 * interleaved. Each item is published once with its own id, as an application would write it, so the
 * team holds exactly what the contract keeps for such a feed (ids, items, item revisions, history).
 */
final class TeamLoader {

    static final int WINDOW = 256;
    /** The longest wait for one free slot in the window: a publish that long is a failure. */
    private static final Duration SLOT_TIMEOUT = Duration.ofSeconds(30);

    private TeamLoader() {
    }

    static void load(Thoonk client, String team, MoveCase shape) throws InterruptedException {
        List<AsyncFeed> feeds = new ArrayList<>();
        for (int k = 0; k < shape.feedSizes().size(); k++) {
            feeds.add(client.feed(MoveCase.feed(team, k)).async());
        }
        Semaphore window = new Semaphore(WINDOW);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        int longest = shape.feedSizes().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int i = 0; i < longest && failure.get() == null; i++) {
            for (int k = 0; k < feeds.size(); k++) {
                if (i >= shape.feedSizes().get(k)) {
                    continue;
                }
                acquire(window, 1, team);
                feeds.get(k).publish(Payload.ITEM, MoveCase.itemId(i)).whenComplete((ok, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                    window.release();
                });
            }
        }
        acquire(window, WINDOW, team);
        if (failure.get() != null) {
            throw new IllegalStateException("loading team " + team + " failed: " + failure.get(), failure.get());
        }
    }

    private static void acquire(Semaphore window, int permits, String team) throws InterruptedException {
        if (!window.tryAcquire(permits, SLOT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("loading team " + team + ": publishes still unanswered after "
                    + SLOT_TIMEOUT.toSeconds() + " s");
        }
    }
}
