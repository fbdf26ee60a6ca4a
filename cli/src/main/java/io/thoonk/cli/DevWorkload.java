package io.thoonk.cli;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Jobs;
import io.thoonk.client.Published;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.client.ThoonkTimeoutException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * The live workload of {@code thoonk dev}'s demo, running while the cluster runs: each of
 * {@link #TEAMS} publishes to its feed {@code team:<team>:news} at a gentle rate through the routing
 * client ({@link Thoonk#connectCluster}), a subscriber per team counts what it hears, and a worker
 * takes and finishes the jobs put in the first team's job queue. A status line (on a terminal,
 * kept below the output and refreshed every second; elsewhere printed every
 * {@link #PLAIN_STATUS_INTERVAL}) shows each team's events per second and last revision, the jobs
 * done and the writes that failed.
 *
 * <p>The demo's steps watch it through {@link Window}s (what was acknowledged and what failed while
 * a step ran), {@link #verify} (every acknowledged publish is in its feed) and {@link #awaitAcks}
 * (the publishers go on after a failover or a move). A feed keeps its last {@link #KEEP} items: the
 * publisher retracts older ones, so a long-running demo does not grow Redis.
 */
final class DevWorkload implements AutoCloseable {

    /** The demo's teams. */
    static final List<String> TEAMS = List.of("acme", "globex", "initech", "umbrella", "hooli", "stark");
    /** Publishes per second of each team. */
    static final int RATE_PER_TEAM = 2;
    /** Items a team's feed keeps. */
    static final int KEEP = 500;
    /** How often the status line is printed where it cannot be redrawn. */
    static final Duration PLAIN_STATUS_INTERVAL = Duration.ofSeconds(5);
    private static final Duration TERMINAL_STATUS_INTERVAL = Duration.ofSeconds(1);
    /** The period a team's events per second are measured over. */
    private static final Duration RATE_WINDOW = Duration.ofSeconds(5);
    private static final Duration JOB_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(15);

    private final Thoonk thoonk;
    private final Printer printer;
    private final Map<String, TeamLoad> teams = new LinkedHashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final List<Window> windows = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService executor;
    private final Jobs jobs;
    private final AtomicLong jobsDone = new AtomicLong();
    private final AtomicLong jobsPut = new AtomicLong();
    private final AtomicLong jobFailures = new AtomicLong();
    private final AtomicLong workerFailures = new AtomicLong();
    private volatile String lastWorkerFailure;
    private DemoWorker worker;
    private volatile boolean closed;

    private DevWorkload(Thoonk thoonk, Printer printer) {
        this.thoonk = thoonk;
        this.printer = printer;
        this.jobs = thoonk.jobs(jobsName());
        this.executor = Executors.newScheduledThreadPool(TEAMS.size() + 2, r -> {
            Thread thread = new Thread(r, "thoonk-dev-workload");
            thread.setDaemon(true);
            return thread;
        });
        TEAMS.forEach(team -> teams.put(team, new TeamLoad(team, thoonk.feed(feedName(team)))));
    }

    /** Starts the workload on the cluster of {@code coordinators}; the caller closes it. */
    static DevWorkload start(List<String> coordinators, Printer printer) {
        DevWorkload workload = new DevWorkload(Thoonk.connectCluster(coordinators, ThoonkOptions.defaults()), printer);
        try {
            workload.begin();
            return workload;
        } catch (RuntimeException e) {
            workload.close();
            throw e;
        }
    }

    static String feedName(String team) {
        return "team:" + team + ":news";
    }

    static String jobsName() {
        return "team:" + TEAMS.get(0) + ":jobs";
    }

    private void begin() {
        long period = 1000 / RATE_PER_TEAM;
        for (TeamLoad team : teams.values()) {
            subscriptions.add(thoonk.subscribe(team.feed.name(), team));
            executor.scheduleWithFixedDelay(team::publishOnce, 0, period, TimeUnit.MILLISECONDS);
        }
        worker = DemoWorker.startResilient(jobs, job -> jobsDone.incrementAndGet(), e -> {
            if (!closed) {
                workerFailures.incrementAndGet();
                lastWorkerFailure = e.getMessage();
            }
        });
        executor.scheduleWithFixedDelay(this::putJob, 0, JOB_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        Duration status = printer.terminal() ? TERMINAL_STATUS_INTERVAL : PLAIN_STATUS_INTERVAL;
        executor.scheduleAtFixedRate(this::printStatus, status.toMillis(), status.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void putJob() {
        try {
            jobs.put("resize photo-" + (jobsPut.get() + 1) + ".png");
            jobsPut.incrementAndGet();
        } catch (ThoonkException e) {
            if (!closed) {
                jobFailures.incrementAndGet();
            }
        }
    }

    /** Starts recording what is acknowledged and what fails, until {@link Window#close()}. */
    Window open() {
        Window window = new Window();
        windows.add(window);
        return window;
    }

    /**
     * Waits until each of {@code teamNames} has acknowledged {@code count} more publishes than now.
     *
     * @throws ThoonkTimeoutException if one has not within {@code timeout}, naming it and its last failure
     */
    void awaitAcks(Collection<String> teamNames, int count, Duration timeout) {
        Map<TeamLoad, Long> targets = new LinkedHashMap<>();
        teamNames.forEach(name -> {
            TeamLoad team = team(name);
            targets.put(team, team.acked() + count);
        });
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<TeamLoad, Long> target : targets.entrySet()) {
            target.getKey().awaitAcked(target.getValue(), deadline, timeout);
        }
    }

    /**
     * Checks that every publish {@code window} saw acknowledged is in its team's feed, reading each
     * feed from its team's shard as it is now.
     */
    Verified verify(Window.Result window) {
        long missing = 0;
        for (Map.Entry<String, List<String>> acked : window.acked().entrySet()) {
            Set<String> present = new HashSet<>(team(acked.getKey()).feed.ids());
            missing += acked.getValue().stream().filter(id -> !present.contains(id)).count();
        }
        return new Verified(window.ackedCount(), window.failed(), missing);
    }

    /** Shows the status line now (a demo step ended), besides every so often. */
    void printStatus() {
        if (closed) {
            return;
        }
        LiveStatus status = status();
        if (printer.terminal()) {
            printer.footer(status.lines());
        } else {
            printer.print(status);
        }
    }

    /** The status as now: each team's rate since the previous status. */
    private LiveStatus status() {
        List<LiveStatus.Team> rows = teams.values().stream().map(TeamLoad::status).toList();
        return new LiveStatus(rows, jobsPut.get(), jobsDone.get(), jobFailures.get(), workerFailures.get(),
                lastWorkerFailure);
    }

    private TeamLoad team(String name) {
        TeamLoad team = teams.get(name);
        if (team == null) {
            throw new IllegalArgumentException("no demo team '" + name + "'; they are " + TEAMS);
        }
        return team;
    }

    /** Stops the publishers, the worker and the subscribers, then closes the client; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker != null) {
            try {
                worker.close();
            } catch (RuntimeException stoppedAnyway) {
                // its failure was shown by the status line
            }
        }
        subscriptions.forEach(Subscription::close);
        thoonk.close();
        printer.footer(List.of());
    }

    /**
     * What a {@link Window} saw checked against the feeds.
     *
     * @param acked   publishes acknowledged while the window was open
     * @param failed  writes (publishes, retractions) that failed meanwhile
     * @param missing acknowledged publishes not in their feed
     */
    record Verified(long acked, long failed, long missing) {

        /** No write failed and every acknowledged one is there. */
        boolean clean() {
            return failed == 0 && missing == 0;
        }

        String text() {
            return acked + " publishes acknowledged, " + failed + " failed, " + (missing == 0
                    ? "all " + acked + " in their feeds" : missing + " acknowledged but MISSING from their feeds");
        }
    }

    /** Records what is acknowledged and what fails while a demo step runs. */
    final class Window implements AutoCloseable {
        private final Map<String, List<String>> acked = new LinkedHashMap<>();
        private long failed;

        private synchronized void acked(String team, String id) {
            acked.computeIfAbsent(team, t -> new ArrayList<>()).add(id);
        }

        private synchronized void failed() {
            failed++;
        }

        /** Stops recording. */
        @Override
        public void close() {
            windows.remove(this);
        }

        /** Stops recording and returns what was recorded. */
        synchronized Result result() {
            close();
            Map<String, List<String>> copy = new LinkedHashMap<>();
            acked.forEach((team, ids) -> copy.put(team, List.copyOf(ids)));
            return new Result(copy, failed);
        }

        /** Acknowledged publish ids per team, and the number of failed writes. */
        record Result(Map<String, List<String>> acked, long failed) {
            long ackedCount() {
                return acked.values().stream().mapToLong(List::size).sum();
            }
        }
    }

    /** One team: its publisher (one call at a time, on the executor) and its subscriber. */
    private final class TeamLoad implements EventListener {
        private final String team;
        private final Feed feed;
        private final ArrayDeque<String> kept = new ArrayDeque<>();
        private long acked;
        private long failed;
        private String lastFailure;
        private long events;
        private long lastRevision;
        /** (nanoTime, events) samples of the last {@link #RATE_WINDOW}, oldest first. */
        private final ArrayDeque<long[]> samples = new ArrayDeque<>();

        TeamLoad(String team, Feed feed) {
            this.team = team;
            this.feed = feed;
            samples.addLast(new long[] {System.nanoTime(), 0});
        }

        void publishOnce() {
            if (closed) {
                return;
            }
            String retract = null;
            try {
                Published published = feed.publish("tick " + (acked() + 1) + " from team " + team);
                synchronized (this) {
                    acked++;
                    kept.addLast(published.id());
                    retract = kept.size() > KEEP ? kept.removeFirst() : null;
                    notifyAll();
                }
                windows.forEach(w -> w.acked(team, published.id()));
                if (retract != null) {
                    feed.retract(retract);
                }
            } catch (ThoonkException e) {
                if (!closed) {
                    failed(e);
                }
            }
        }

        private void failed(ThoonkException e) {
            synchronized (this) {
                failed++;
                lastFailure = e.getMessage();
            }
            windows.forEach(Window::failed);
        }

        synchronized long acked() {
            return acked;
        }

        synchronized void awaitAcked(long target, long deadline, Duration timeout) {
            while (acked < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new ThoonkTimeoutException("team " + team + " had " + acked + " publishes acknowledged, not "
                            + target + ", within " + Durations.format(timeout)
                            + (lastFailure == null ? "" : " (last failure: " + lastFailure + ")"));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ThoonkTimeoutException("interrupted while waiting for team " + team + "'s publishes");
                }
            }
        }

        @Override
        public synchronized void onEvent(Event event) {
            events++;
            lastRevision = Math.max(lastRevision, event.revision());
        }

        @Override
        public void onError(Throwable error) {
            synchronized (this) {
                lastFailure = "subscription: " + error.getMessage();
            }
        }

        /** The status now, the rate over the last {@link #RATE_WINDOW} (or since the first status). */
        synchronized LiveStatus.Team status() {
            long now = System.nanoTime();
            samples.addLast(new long[] {now, events});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW.toNanos()) {
                samples.removeFirst();
            }
            long[] oldest = samples.peekFirst();
            double seconds = (now - oldest[0]) / 1e9;
            long rate = seconds < 0.5 ? 0 : Math.round((events - oldest[1]) / seconds);
            return new LiveStatus.Team(team, rate, lastRevision, acked, failed);
        }
    }

    /**
     * One status line: per team the events per second its subscriber heard and the last revision,
     * the jobs the worker finished, the writes that failed.
     */
    record LiveStatus(List<Team> teams, long jobsPut, long jobsDone, long jobFailures, long workerFailures,
                      String lastWorkerFailure) implements View {

        record Team(String team, long eventsPerSecond, long lastRevision, long acknowledged, long failed) {
        }

        @Override
        public String text() {
            long failed = teams.stream().mapToLong(Team::failed).sum();
            return "  live: " + teams.stream().map(t -> t.team() + " " + t.eventsPerSecond() + "/s r" + t.lastRevision())
                    .collect(Collectors.joining(", ")) + " | jobs " + jobsDone + "/" + jobsPut + " done"
                    + (jobFailures == 0 ? "" : ", " + jobFailures + " not put") + " | failed writes " + failed
                    + (workerFailures == 0 ? "" : " | worker failures " + workerFailures + " (last: " + lastWorkerFailure
                    + ")");
        }

        /** The status as a panel of short lines, one per team, then the worker's. */
        List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (Team t : teams) {
                lines.add(String.format("  team %-9s %3d events/s  last revision %-6d%s", t.team(), t.eventsPerSecond(),
                        t.lastRevision(), t.failed() == 0 ? "" : t.failed() + " failed writes").stripTrailing());
            }
            lines.add("  worker: " + jobsDone + " of " + jobsPut + " jobs done" + (workerFailures == 0 ? ""
                    : ", " + workerFailures + " failures (last: " + shorter(lastWorkerFailure) + ")"));
            return lines;
        }

        private static String shorter(String text) {
            return text == null || text.length() <= 60 ? text : text.substring(0, 57) + "...";
        }
    }
}
