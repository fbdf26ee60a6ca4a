package io.thoonk.cli;

import io.thoonk.client.Feed;
import io.thoonk.client.Jobs;
import io.thoonk.client.LiveObject;
import io.thoonk.client.Position;
import io.thoonk.client.Published;
import io.thoonk.client.SortedFeed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.cli.Views.ItemView;
import io.thoonk.cli.Views.Note;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The steps of {@code thoonk demo}. Each step prints the equivalent {@code thoonk} command, runs it
 * through the client, then waits until the pattern subscription has printed its events, so the
 * output reads in order.
 */
final class DemoTour {

    static final String PATTERN = "team:1:*";
    static final String FEED = "team:1:news";
    static final String SORTED = "team:1:board";
    static final String JOBS = "team:1:jobs";

    private static final Duration WAIT = Duration.ofSeconds(5);

    /** What the tour writes, to say before it does: the user's own Redis or cluster may be the target. */
    static String writes(String where) {
        return "The tour writes to three objects in " + where + ": " + FEED + " (a feed), " + SORTED
                + " (a sorted feed) and " + JOBS + " (a job queue). It adds items to them (replacing the feed's item "
                + "with id 'standup', if there is one), edits and retracts only items it added, and leaves them there; its worker claims and finishes any job "
                + "queued in " + JOBS + " while it runs.";
    }

    private final Thoonk thoonk;
    private final Printer printer;
    private final EventTracker events;

    DemoTour(Thoonk thoonk, Printer printer) {
        this.thoonk = thoonk;
        this.printer = printer;
        this.events = new EventTracker(printer);
    }

    void run() {
        note("Subscribing to every object matching " + PATTERN + " (thoonk feed subscribe --pattern '"
                + PATTERN + "'); its events are printed as they arrive.");
        try (Subscription ignored = thoonk.subscribePattern(PATTERN, events)) {
            feed();
            sortedFeed();
            jobs();
        }
        note("");
        note("That was the tour: feeds, sorted feeds and jobs, with every change announced live.");
    }

    private void feed() {
        Feed feed = thoonk.feed(FEED);
        section("A feed keeps items in publish order, each under an id.");
        Published hello = step(feed, "feed publish " + FEED + " 'hello, team'", () -> feed.publish("hello, team"));
        step(feed, "feed publish " + FEED + " 'standup at 10:00' --id standup",
                () -> feed.publish("standup at 10:00", "standup"));
        step(feed, "feed edit " + FEED + " standup 'standup at 10:30'", () -> feed.edit("standup", "standup at 10:30"));
        step(feed, "feed retract " + FEED + " " + hello.id(), () -> feed.retract(hello.id()));
        show("feed all " + FEED, feed.all().stream().map(item -> ItemView.of(FEED, item)).toList());
    }

    private void sortedFeed() {
        SortedFeed board = thoonk.sortedFeed(SORTED);
        section("A sorted feed is ordered by hand; every insert and move carries a position.");
        String ship = step(board, "sorted append " + SORTED + " 'ship it'", () -> board.append("ship it")).id();
        String build = step(board, "sorted prepend " + SORTED + " 'build it'", () -> board.prepend("build it")).id();
        String spec = step(board, "sorted prepend " + SORTED + " 'write the spec'",
                () -> board.prepend("write the spec")).id();
        String review = step(board, "sorted after " + SORTED + " " + spec + " 'review the spec'",
                () -> board.publishAfter(spec, "review the spec")).id();
        step(board, "sorted move " + SORTED + " " + review + " " + build + ":",
                () -> board.move(review, Position.after(build)));
        step(board, "sorted move " + SORTED + " " + ship + " begin:", () -> board.move(ship, Position.begin()));
        step(board, "sorted edit " + SORTED + " " + build + " 'build it, with tests'",
                () -> board.edit(build, "build it, with tests"));
        show("sorted all " + SORTED, board.all().stream().map(item -> ItemView.of(SORTED, item)).toList());
    }

    private void jobs() {
        Jobs jobs = thoonk.jobs(JOBS);
        section("A job queue hands each job to one worker; the submitter can wait for the result.");
        try (DemoWorker ignored = DemoWorker.start(jobs, job ->
                note("  worker: claimed job " + job.id() + " (" + job.payload() + "), finishing it"))) {
            for (String payload : List.of("resize photo.png", "send welcome mail")) {
                Published job = step(jobs, "job put " + JOBS + " '" + payload + "'", () -> jobs.put(payload));
                String result = jobs.awaitResult(job.id(), WAIT).orElse("(no result within " + Durations.format(WAIT) + ")");
                note("submitter: job " + job.id() + " returned '" + result + "'");
            }
        }
        events.awaitRevision(JOBS, jobs.revision(), WAIT);
    }

    /** Prints the command, runs it, and waits until its events have been printed. */
    private <T> T step(LiveObject object, String command, Supplier<T> action) {
        note("$ thoonk " + command);
        T outcome = action.get();
        events.awaitRevision(object.name(), object.revision(), WAIT);
        return outcome;
    }

    private void show(String command, List<? extends View> views) {
        note("$ thoonk " + command);
        printer.printAll(views);
    }

    private void section(String title) {
        note("");
        note("== " + title);
    }

    private void note(String text) {
        printer.print(new Note(text));
    }
}
