package io.thoonk.cli;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.cli.Views.EventView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code thoonk feed|sorted subscribe NAME}: prints each event as one line, until Ctrl-C or until
 * {@code --count} events: readable text ({@code team:1:news publish id=a item=hello revision=1}), or
 * with {@code --output json} one JSON object (fields name, type, id, item, position, revision; those
 * the event does not carry are left out).
 */
@Command(name = "subscribe",
        description = {"Prints the object's events as they happen, one per line, until Ctrl-C or --count events: "
                + "as text (NAME TYPE id=... item=... revision=N), or with --output json one JSON object per line "
                + "(name, type, id, item, position, revision; fields the event does not carry are left out)."})
final class SubscribeCommand implements Callable<Integer> {

    @ParentCommand
    private ObjectCommands group;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = ObjectCommands.NAME,
            description = "The object's full name, or with --pattern a glob such as team:353:*.")
    private String target;

    @Option(names = "--pattern", description = "NAME is a Redis glob pattern: follow every matching object.")
    private boolean pattern;

    @Option(names = "--from-revision", paramLabel = "N",
            description = "First replay the object's events from revision N, then follow live ones.")
    private Long fromRevision;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N events.")
    private Long count;

    @Override
    public Integer call() {
        if (pattern && fromRevision != null) {
            throw new ParameterException(spec.commandLine(), "--from-revision cannot be used with --pattern");
        }
        if (count != null && count <= 0) {
            throw new ParameterException(spec.commandLine(), "--count must be > 0, was " + count);
        }
        return group.session((thoonk, printer) -> {
            EventPrinter listener = new EventPrinter(printer, spec.commandLine().getErr(),
                    count == null ? Long.MAX_VALUE : count);
            try (Subscription ignored = open(thoonk, listener)) {
                listener.awaitDone();
            }
        });
    }

    private Subscription open(Thoonk thoonk, EventListener listener) {
        if (pattern) {
            return thoonk.subscribePattern(target, listener);
        }
        return fromRevision == null ? thoonk.subscribe(target, listener)
                : thoonk.subscribe(target, fromRevision, listener);
    }

    /** Prints events, one per line, and counts them down; problems go to stderr. */
    private static final class EventPrinter implements EventListener {
        private final Printer printer;
        private final PrintWriter err;
        private final AtomicLong remaining;
        private final CountDownLatch done = new CountDownLatch(1);

        EventPrinter(Printer printer, PrintWriter err, long count) {
            this.printer = printer;
            this.err = err;
            this.remaining = new AtomicLong(count);
        }

        @Override
        public void onEvent(Event event) {
            long left = remaining.getAndDecrement();
            if (left > 0) {
                printer.print(EventView.of(event));
            }
            if (left <= 1) {
                done.countDown();
            }
        }

        @Override
        public void onHistoryLost(String object, long missingFrom, long resumedAt) {
            warn("events of '" + object + "' from revision " + missingFrom + " to " + (resumedAt - 1)
                    + " are no longer in its history and were skipped");
        }

        @Override
        public void onError(Throwable error) {
            warn(String.valueOf(error.getMessage()));
        }

        private void warn(String message) {
            synchronized (err) {
                err.println("thoonk: " + message);
                err.flush();
            }
        }

        /** Blocks until the count is reached, or forever (until Ctrl-C) without a count. */
        void awaitDone() {
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
