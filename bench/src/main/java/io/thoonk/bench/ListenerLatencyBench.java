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

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Publish-to-listener latency in one process. A paced publisher (client async
 * publish) writes items carrying their send time; the listener records receive time minus send
 * time. The client's subscription is set against a bare Lettuce pub/sub listener on the
 * channel the client itself listens on, which shows what the client adds to Redis and Lettuce.
 * The target is a ratio to that baseline (p99 within {@value #MAX_P99_RATIO}x, median of paired
 * ratios): an absolute figure cannot be judged on a machine where bare Lettuce alone misses it.
 */
record ListenerLatencyBench(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources)
        implements Benchmark {

    static final String P99 = "p99 µs";
    /** Client p99 over bare Lettuce p99 (median of the paired ratios, same run) at most this. */
    static final double MAX_P99_RATIO = 1.15;
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};
    private static final Map<String, String> SETTINGS = Map.of("history_length", "100");
    /** How long after the last publish the listener may take to hear everything; later counts as lost. */
    private static final long DELIVERY_WAIT_SECONDS = 20;

    /** Receives the benchmark's items until stopped; what comes later counts as lost. */
    private static final class Probe {
        private final Latencies latencies = new Latencies();
        private final AtomicInteger received = new AtomicInteger();
        private boolean stopped;

        synchronized void onItem(String item) {
            if (!stopped) {
                long sent = Long.parseLong(item, 0, item.indexOf(' '), 10);
                latencies.record(System.nanoTime() - sent);
                received.incrementAndGet();
            }
        }

        /** Waits up to {@code seconds} for {@code expected} items, then stops; returns the latencies. */
        Latencies stopAfter(int expected, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (received.get() < expected && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            synchronized (this) {
                stopped = true;
                return latencies;
            }
        }
    }

    /** Subscribes a probe to a feed; closing unsubscribes. */
    @FunctionalInterface
    private interface Listening {
        AutoCloseable subscribe(String feed, Probe probe);
    }

    @Override
    public String key() {
        return "latency";
    }

    @Override
    public Section run() throws Exception {
        Variant client = new Variant("client subscription", tag -> round("bench:events:client:" + tag,
                (feed, probe) -> thoonk.subscribe(feed, new EventListener() {
                    @Override
                    public void onEvent(Event e) {
                        if (e.type() == EventType.PUBLISH) {
                            probe.onItem(e.item());
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
                })));
        StatefulRedisPubSubConnection<String, String> pubsub = bare.connectPubSub();
        Variant lettuce = new Variant("bare Lettuce pub/sub", tag -> round("bench:events:bare:" + tag,
                (feed, probe) -> subscribeBare(pubsub, feed, probe)));
        Metrics idle = new Metrics();
        paced(() -> { }).lag().addPercentiles(idle, "", 50, 99, 99.9, 100);
        System.out.println("  idle paced loop (no publishing), wake-up lateness: " + idle);
        Comparison c;
        try {
            c = Comparison.run("publish-to-listener latency", List.of(client, lettuce), config.warmups(),
                    config.rounds(), resources);
        } finally {
            pubsub.close();
        }
        return report -> report(report, c, idle);
    }

    /** Listens on {@code feed.event:[f]}, where each publish is announced with its item in the last field. */
    private static AutoCloseable subscribeBare(StatefulRedisPubSubConnection<String, String> pubsub, String feed,
                                               Probe probe) {
        String channel = Keys.EVENT_CHANNEL + feed;
        RedisPubSubAdapter<String, String> listener = new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                if (ch.equals(channel) && message.indexOf("\0publish\0") > 0) {
                    probe.onItem(lastField(message));
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

    /** Publishes at the configured rate to a fresh feed with a probe subscribed, then deletes it. */
    private Metrics round(String feed, Listening listening) throws Exception {
        thoonk.registry().create(feed, ObjectType.FEED, SETTINGS);
        Probe probe = new Probe();
        try (AutoCloseable subscription = listening.subscribe(feed, probe)) {
            Pacing pacing = publishPaced(thoonk.feed(feed).async());
            Latencies latencies = probe.stopAfter(pacing.sent, DELIVERY_WAIT_SECONDS);
            Metrics m = new Metrics()
                    .put("sent/s", pacing.sent * 1e9 / pacing.elapsedNanos)
                    .put("lost", pacing.sent - latencies.count());
            latencies.addPercentiles(m, "", PERCENTILES);
            pacing.lag.addPercentiles(m, "publisher lag ", 99, 100);
            return m;
        } finally {
            thoonk.registry().delete(feed);
        }
    }

    /** What the publisher did: items sent, time taken, and how late each send was against the schedule. */
    private record Pacing(int sent, long elapsedNanos, Latencies lag) {
    }

    /** One publish every 1/rate seconds on an absolute schedule; a late publisher catches up at once. */
    private Pacing publishPaced(AsyncFeed feed) {
        AtomicLong failures = new AtomicLong();
        Pacing pacing = paced(() -> feed.publish(Payload.padded(Long.toString(System.nanoTime()))).whenComplete((p, e) -> {
            if (e != null) {
                failures.incrementAndGet();
            }
        }));
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " publishes failed");
        }
        return pacing;
    }

    /** Runs {@code send} at the configured rate for a round's length, recording how late each run started. */
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
        String client = c.variants().get(0);
        String lettuce = c.variants().get(1);
        double ratio = c.pairedRatio(P99, client, lettuce);
        report.section("Publish-to-listener latency")
                .paragraph("A publisher paced at " + Report.number(config.eventRate()) + " events/s for "
                        + config.eventSeconds() + " s per round (absolute schedule on `System.nanoTime`, "
                        + "`LockSupport.parkNanos` between sends, `thoonk.feed(name).async().publish(item)`, "
                        + Payload.BYTES + "-byte items carrying their send `nanoTime`), a fresh feed per round "
                        + "(`history_length=100`). The listener in the same process records receive `nanoTime` "
                        + "minus send `nanoTime` per event. **client subscription**: `thoonk.subscribe(name, "
                        + "listener)`. **bare Lettuce pub/sub**: a plain Lettuce `RedisPubSubAdapter` on "
                        + "`feed.event:[f]`, the channel the client's subscription reads, called on Lettuce's "
                        + "event loop; both hear the same publisher. Percentiles are per round; the table gives "
                        + "their medians (max: the median of the rounds' maxima). \"lost\": events not heard within "
                        + DELIVERY_WAIT_SECONDS + " s after the last publish. \"publisher lag\" is how late "
                        + "the publishing thread woke up against its schedule: a stall of this process's threads "
                        + "that has nothing to do with Redis or the listener path. The target is relative: the "
                        + "client's p99 at most " + Report.ratio(MAX_P99_RATIO) + " bare Lettuce's, as the median "
                        + "of the paired ratios (each client round over the bare round of the same pair), since "
                        + "what a machine like this one gives bare Lettuce is no part of the client.")
                .medians(c, P99)
                .targets(List.of(new Target("client p99 / bare Lettuce p99 (median of paired ratios)",
                        "<= " + Report.ratio(MAX_P99_RATIO), Report.ratio(ratio), ratio <= MAX_P99_RATIO)))
                .paragraph(findings(c, client, lettuce))
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
    private static String findings(Comparison c, String client, String lettuce) {
        double ratio = c.pairedRatio(P99, client, lettuce);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Where the time goes. Client minus bare Lettuce (medians): %+.0f µs at p50, %+.0f µs at p99 "
                        + "(a negative figure means the noise between rounds was larger than the difference). What "
                        + "the client puts on top of Redis and Lettuce is its listener path, run on the pub/sub "
                        + "connection's event loop thread as the bare listener is (no hand-off to another thread): "
                        + "each message is routed to its subscription, decoded and checked for its revision, and "
                        + "each publish arrives twice (`feed.event:[f]` and the contract echo `feed.publish:[f]`, "
                        + "which the subscription drops). It costs this JVM %.0f µs of CPU per event with the client "
                        + "listening against %.0f µs with the bare listener (the publisher's share included in "
                        + "both). ",
                c.median(client, "p50 µs") - c.median(lettuce, "p50 µs"),
                c.median(client, P99) - c.median(lettuce, P99),
                c.median(client, m -> ResourceUse.jvmMicrosPerOp(m, "sent/s")),
                c.median(lettuce, m -> ResourceUse.jvmMicrosPerOp(m, "sent/s"))));
        sb.append(String.format(Locale.ROOT, "For scale, the stalls of the whole process: the publishing "
                        + "thread, which only sleeps and sends, woke up late by up to %s µs (median of round maxima; "
                        + "p99 %s µs), the same order as the event latency maxima (%s µs client, %s µs bare), while "
                        + "other processes on the machine used a median %.0f%% of a core beside Redis (%.0f%%) and "
                        + "this JVM (%.0f%%) on %d cores.",
                Report.number(c.median(client, "publisher lag max µs")),
                Report.number(c.median(client, "publisher lag p99 µs")),
                Report.number(c.median(client, "max µs")), Report.number(c.median(lettuce, "max µs")),
                c.median(client, ResourceUse.OTHER_CPU), c.median(client, ResourceUse.REDIS_CPU),
                c.median(client, ResourceUse.JVM_CPU), Runtime.getRuntime().availableProcessors()));
        if (ratio > MAX_P99_RATIO) {
            sb.append(" The ratio target is missed: the difference is the client's listener path above, or noise "
                    + "that hit the client's rounds more than their pairs (see the quiet pairs).");
        }
        return sb.toString();
    }
}
