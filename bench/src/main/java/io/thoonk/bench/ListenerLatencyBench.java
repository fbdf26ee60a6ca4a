package io.thoonk.bench;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.EventType;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.contract.Keys;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Publish-to-listener latency in one process. A paced publisher (client async publish) writes
 * items carrying their send time; each listener records receive time minus send time. The
 * client's subscription is set against a bare Lettuce pub/sub listener on the channel the client
 * itself listens on, which shows what the client adds to Redis and Lettuce. Both listen at once,
 * each on its own pub/sub connection and event loop thread, to the same events: a stall of the
 * machine during a round delays both, and the round's ratio cancels it. The target is a ratio to
 * that baseline (p99 within {@value #MAX_P99_RATIO}x, median of the rounds' ratios): an absolute
 * figure cannot be judged on a machine where bare Lettuce alone misses it.
 */
record ListenerLatencyBench(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources)
        implements Benchmark {

    static final String P99 = "p99 µs";
    static final String CLIENT = "client subscription";
    static final String BARE = "bare Lettuce pub/sub";
    /** CPU time of the thread that called the listener, per event it heard: the listener path's own cost. */
    static final String THREAD_CPU = "listener thread CPU µs/event";
    /** Client p99 over bare Lettuce p99 (median of the paired ratios, same run) at most this. */
    static final double MAX_P99_RATIO = 1.15;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    private static final Map<String, String> SETTINGS = Map.of("history_length", "100");
    /** How long after the last publish the listeners may take to hear everything; later counts as lost. */
    private static final long DELIVERY_WAIT_SECONDS = 20;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * Receives the benchmark's items until stopped; what comes later counts as lost. Also measures
     * the CPU time of the thread that delivers the items, from the first item on.
     */
    private static final class Probe {
        private final Latencies latencies = new Latencies();
        /** The same latencies by feed (0: the feed the client subscribed to first). */
        private final Latencies[] byFeed = {new Latencies(), new Latencies()};
        private final AtomicInteger received = new AtomicInteger();
        private boolean stopped;
        private long threadId = -1;
        private long threadCpuAtFirst;

        synchronized void onItem(int feed, String item) {
            if (!stopped) {
                long sent = Long.parseLong(item, 0, item.indexOf(' '), 10);
                long latency = System.nanoTime() - sent;
                latencies.record(latency);
                byFeed[feed].record(latency);
                if (threadId < 0) {
                    threadId = Thread.currentThread().getId();
                    threadCpuAtFirst = THREADS.getCurrentThreadCpuTime();
                }
                received.incrementAndGet();
            }
        }

        /** Waits until {@code deadline} (nanoTime) for {@code expected} items, then stops. */
        void stopAfter(int expected, long deadline) throws InterruptedException {
            while (received.get() < expected && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            synchronized (this) {
                stopped = true;
            }
        }

        /** Median latency in µs per feed, for the console: shows what being served first is worth. */
        synchronized String byFeed() {
            Metrics a = new Metrics();
            Metrics b = new Metrics();
            byFeed[0].addPercentiles(a, "", 50);
            byFeed[1].addPercentiles(b, "", 50);
            return "p50 µs " + Report.number(a.get("p50 µs")) + " / " + Report.number(b.get("p50 µs"));
        }

        /** The figures of one listener: loss, latency percentiles, and its thread's CPU per event. */
        synchronized Metrics figures(int sent) {
            Metrics m = new Metrics().put("lost", sent - latencies.count());
            latencies.addPercentiles(m, "", PERCENTILES);
            long cpu = threadId < 0 ? -1 : THREADS.getThreadCpuTime(threadId);
            m.put(THREAD_CPU, cpu < 0 || latencies.count() < 2 ? Double.NaN
                    : (cpu - threadCpuAtFirst) / 1e3 / (latencies.count() - 1));
            return m;
        }
    }

    @Override
    public String key() {
        return "latency";
    }

    @Override
    public Section run() throws Exception {
        Metrics idle = new Metrics();
        paced(() -> { }).lag().addPercentiles(idle, "", 50, 99, 99.9, 100);
        System.out.println("  idle paced loop (no publishing), wake-up lateness: " + idle);
        Comparison c;
        try (StatefulRedisPubSubConnection<String, String> pubsub = bare.connectPubSub()) {
            c = Comparison.together("publish-to-listener latency", List.of(CLIENT, BARE), config.warmups(),
                    config.eventRounds(), resources, tag -> round("bench:events:" + tag, pubsub));
        }
        return report -> report(report, c, idle);
    }

    /**
     * One round: two fresh feeds, each heard by both listeners, subscribed in opposite orders (Redis
     * writes a channel's message to its subscribers one after the other, in an order fixed by the
     * order they subscribed), and a publisher that alternates between them, so that each listener
     * is served first for half of the events.
     */
    private Map<String, Metrics> round(String prefix, StatefulRedisPubSubConnection<String, String> pubsub)
            throws Exception {
        List<String> feeds = List.of(prefix + ":a", prefix + ":b");
        Probe client = new Probe();
        Probe bareProbe = new Probe();
        EventListener listener = clientListener(client, feeds);
        List<AutoCloseable> subscriptions = new ArrayList<>();
        try {
            for (String feed : feeds) {
                thoonk.registry().create(feed, ObjectType.FEED, SETTINGS);
            }
            subscriptions.add(thoonk.subscribe(feeds.get(0), listener));
            subscriptions.add(subscribeBare(pubsub, feeds.get(0), 0, bareProbe));
            subscriptions.add(subscribeBare(pubsub, feeds.get(1), 1, bareProbe));
            subscriptions.add(thoonk.subscribe(feeds.get(1), listener));
            Pacing pacing = publishPaced(feeds.stream().map(f -> thoonk.feed(f).async()).toList());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DELIVERY_WAIT_SECONDS);
            client.stopAfter(pacing.sent, deadline);
            bareProbe.stopAfter(pacing.sent, deadline);
            System.out.printf("  by feed (client subscribed first to the first): client %s, bare %s%n",
                    client.byFeed(), bareProbe.byFeed());
            Metrics shared = new Metrics().put("sent/s", pacing.sent * 1e9 / pacing.elapsedNanos);
            pacing.lag.addPercentiles(shared, "publisher lag ", 99, 100);
            Map<String, Metrics> figures = new LinkedHashMap<>();
            figures.put(CLIENT, withShared(client.figures(pacing.sent), shared));
            figures.put(BARE, withShared(bareProbe.figures(pacing.sent), shared));
            return figures;
        } finally {
            for (AutoCloseable s : subscriptions) {
                s.close();
            }
            for (String feed : feeds) {
                thoonk.registry().delete(feed);
            }
        }
    }

    private static Metrics withShared(Metrics own, Metrics shared) {
        Metrics m = new Metrics().put("sent/s", shared.get("sent/s"));
        own.asMap().forEach(m::put);
        shared.asMap().forEach(m::put);
        return m;
    }

    private static EventListener clientListener(Probe probe, List<String> feeds) {
        String first = feeds.get(0);
        return new EventListener() {
            @Override
            public void onEvent(Event e) {
                if (e.type() == EventType.PUBLISH) {
                    probe.onItem(e.object().equals(first) ? 0 : 1, e.item());
                }
            }

            @Override
            public void onHistoryLost(String object, long missingFrom, long resumedAt) {
                System.out.printf("  history lost on %s: revisions %d..%d%n", object, missingFrom, resumedAt - 1);
            }

            @Override
            public void onError(Throwable error) {
                System.out.println("  listener error: " + error);
            }
        };
    }

    /** Listens on {@code feed.event:[f]}, where each publish is announced with its item in the last field. */
    private static AutoCloseable subscribeBare(StatefulRedisPubSubConnection<String, String> pubsub, String feed,
                                               int index, Probe probe) {
        String channel = Keys.EVENT_CHANNEL + feed;
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (ch.equals(channel) && message.indexOf("\0publish\0") > 0) {
                    probe.onItem(index, lastField(message));
                }
            }
        };
        pubsub.addListener(listener);
        pubsub.sync().subscribe(channel);
        return () -> {
            pubsub.sync().unsubscribe(channel);
            pubsub.removeListener(listener);
        };
    }

    /** {@code revision \0 type \0 id \0 position \0 echoes \0 item}: the item. */
    private static String lastField(String message) {
        int at = -1;
        for (int i = 0; i < 5; i++) {
            at = message.indexOf('\0', at + 1);
        }
        return message.substring(at + 1);
    }

    /** What the publisher did: items sent, time taken, and how late each send was against the schedule. */
    private record Pacing(int sent, long elapsedNanos, Latencies lag) {
    }

    /**
     * One publish every 1/rate seconds on an absolute schedule, to each feed in turn; a late
     * publisher catches up at once.
     */
    private Pacing publishPaced(List<AsyncFeed> feeds) {
        AtomicLong failures = new AtomicLong();
        int[] next = {0};
        Pacing pacing = paced(() -> feeds.get(next[0]++ % feeds.size())
                .publish(Payload.padded(Long.toString(System.nanoTime()))).whenComplete((p, e) -> {
                    if (e != null) {
                        failures.incrementAndGet();
                    }
                }));
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " publishes failed");
        }
        return pacing;
    }

    /**
     * Runs {@code send} at the configured rate for a round's length, recording how late each run
     * started.
     */
    private Pacing paced(Runnable send) {
        int total = (int) (config.eventRate() * config.eventSeconds());
        long interval = TimeUnit.SECONDS.toNanos(1) / config.eventRate();
        Latencies lag = new Latencies();
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long due = start + i * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            lag.record(now - due);
            send.run();
        }
        return new Pacing(total, System.nanoTime() - start, lag);
    }

    private void report(Report report, Comparison c, Metrics idle) {
        double ratio = c.pairedRatio(P99, CLIENT, BARE);
        report.section("Publish-to-listener latency")
                .paragraph("A publisher paced at " + Report.number(config.eventRate()) + " events/s for "
                        + config.eventSeconds() + " s per round (absolute schedule on `System.nanoTime`, "
                        + "`LockSupport.parkNanos` between sends, `thoonk.feed(name).async().publish(item)`, "
                        + Payload.BYTES + "-byte items carrying their send `nanoTime`), alternating between two "
                        + "fresh feeds per round (`history_length=100`). Two listeners in the same process hear "
                        + "every event at the same time, each on a pub/sub connection and event loop thread of its "
                        + "own, and record receive `nanoTime` minus send `nanoTime` per event. **" + CLIENT
                        + "**: `thoonk.subscribe(name, listener)` to both feeds (the client's own pub/sub "
                        + "connection, which also hears the contract channels). **" + BARE + "**: a plain "
                        + "Lettuce `RedisPubSubAdapter` on `feed.event:[f]` of both feeds, the channel the "
                        + "client's subscription reads, called on Lettuce's event loop. Redis writes a message "
                        + "to a channel's subscribers one after the other, in an order fixed by the order they "
                        + "subscribed (the one served first hears it some µs earlier): the client subscribes "
                        + "first to one feed and second to the other, so each listener is served first for half "
                        + "of the events (the run's console prints each listener's median per feed). Why at the same time: a stall of the machine (another "
                        + "process, a GC pause, the publisher late) during a round delays both listeners' events "
                        + "alike, so the ratio of the two listeners' figures of one round cancels it; with the "
                        + "variants in turn, as the other benchmarks run, a stall in one round of a pair and not "
                        + "the other decided the ratio of the p99s (per-pair ratios from 0.49x to 2.24x in one "
                        + "run on this machine). Percentiles are per round and listener; the table gives their "
                        + "medians (max: the median of the rounds' maxima), the ratio of the medians and the "
                        + "median of the per-round ratios. \"lost\": events not heard within "
                        + DELIVERY_WAIT_SECONDS + " s after the last publish. \"" + THREAD_CPU + "\": CPU time "
                        + "of the thread that called the listener from its first event to the end of the round, "
                        + "per event: the listener path's own cost, from the socket read to the listener "
                        + "(Lettuce's decoding included). The figures of the round (sent/s, publisher lag, CPU) "
                        + "are the same for both listeners. \"publisher lag\" is how late the publishing "
                        + "thread woke up against its schedule: a stall of this process's threads that has "
                        + "nothing to do with Redis or the listener path. The target is relative: the client's "
                        + "p99 at most " + Report.ratio(MAX_P99_RATIO) + " bare Lettuce's, as the median of the "
                        + "rounds' ratios, since what a machine like this one gives bare Lettuce is no part of "
                        + "the client.")
                .medians(c, P99)
                .targets(List.of(new Target("client p99 / bare Lettuce p99 (median of the rounds' ratios)",
                        "<= " + Report.ratio(MAX_P99_RATIO), Report.ratio(ratio), ratio <= MAX_P99_RATIO)))
                .paragraph(findings(c))
                .paragraph(String.format(Locale.ROOT, "The machine's own floor, measured before the rounds: the same "
                                + "paced loop with nothing to send (no Redis traffic, no listener) woke up late by "
                                + "p50 %s µs, p99 %s µs, p99.9 %s µs, max %s µs. Under the benchmark's load (Redis and "
                                + "this JVM busy on %d cores) the publishing thread's lateness grows to the p99 above.",
                        Report.number(idle.get("p50 µs")), Report.number(idle.get("p99 µs")),
                        Report.number(idle.get("p99.9 µs")), Report.number(idle.get("max µs")),
                        Runtime.getRuntime().availableProcessors()))
                .rawRounds(c);
    }

    /** Where the time goes, from the figures: client vs bare Lettuce vs the machine's own stalls. */
    private static String findings(Comparison c) {
        double ratio = c.pairedRatio(P99, CLIENT, BARE);
        List<Double> ratios = c.pairedRatios(P99, CLIENT, BARE);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Where the time goes. The rounds' p99 ratios range from %s to %s. Client minus bare Lettuce "
                        + "(medians of the rounds' differences): %+.1f µs at p50, %+.0f µs at p99. What the client "
                        + "puts on top of Redis and Lettuce is its listener path, run on the pub/sub connection's "
                        + "event loop thread as the bare listener is (no hand-off to another thread): each message "
                        + "is routed to its subscription, decoded and checked for its revision, and each publish "
                        + "arrives twice (`feed.event:[f]` and the contract echo `feed.publish:[f]`, which the "
                        + "subscription drops, since it also listens for peers that keep no revisions). Its "
                        + "listener thread spends %.1f µs of CPU per event against %.1f µs for the bare listener. ",
                Report.ratio(Collections.min(ratios)), Report.ratio(Collections.max(ratios)),
                c.pairedDifference("p50 µs", CLIENT, BARE), c.pairedDifference(P99, CLIENT, BARE),
                c.median(CLIENT, THREAD_CPU), c.median(BARE, THREAD_CPU)));
        sb.append(String.format(Locale.ROOT, "For scale, the stalls of the whole process: the publishing "
                        + "thread, which only sleeps and sends, woke up late by up to %s µs (median of round maxima; "
                        + "p99 %s µs), the same order as the event latency maxima (%s µs client, %s µs bare), while "
                        + "other processes on the machine used a median %.0f%% of a core beside Redis (%.0f%%) and "
                        + "this JVM (%.0f%%) on %d cores.",
                Report.number(c.median(CLIENT, "publisher lag max µs")),
                Report.number(c.median(CLIENT, "publisher lag p99 µs")),
                Report.number(c.median(CLIENT, "max µs")), Report.number(c.median(BARE, "max µs")),
                c.median(CLIENT, ResourceUse.OTHER_CPU), c.median(CLIENT, ResourceUse.REDIS_CPU),
                c.median(CLIENT, ResourceUse.JVM_CPU), Runtime.getRuntime().availableProcessors()));
        if (ratio > MAX_P99_RATIO) {
            sb.append(" The ratio target is missed: both listeners heard the same events in the same rounds, so "
                    + "the difference is the client's listener path above.");
        }
        return sb.toString();
    }
}
