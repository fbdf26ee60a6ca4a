package io.thoonk.cli;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.cli.Views.DemoEvent;
import io.thoonk.cli.Views.EventView;
import io.thoonk.cli.Views.Note;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Prints every event it receives and lets the demo wait until an object's event for a revision has arrived. */
final class EventTracker implements EventListener {

    private final Printer printer;
    private final Map<String, Long> lastRevisions = new HashMap<>();

    EventTracker(Printer printer) {
        this.printer = printer;
    }

    @Override
    public synchronized void onEvent(Event event) {
        printer.print(new DemoEvent(EventView.of(event)));
        lastRevisions.merge(event.object(), event.revision(), Math::max);
        notifyAll();
    }

    @Override
    public void onError(Throwable error) {
        printer.print(new Note("  (subscription problem: " + error.getMessage() + ")"));
    }

    /** Waits until the event bringing {@code object} to {@code revision} has been printed. */
    synchronized void awaitRevision(String object, long revision, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lastRevisions.getOrDefault(object, 0L) < revision) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ThoonkTimeoutException("the event for revision " + revision + " of '" + object
                        + "' did not arrive within " + Durations.format(timeout));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ThoonkTimeoutException("interrupted while waiting for events of '" + object + "'");
            }
        }
    }
}
