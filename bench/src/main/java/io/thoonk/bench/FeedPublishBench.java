package io.thoonk.bench;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.internal.Script;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Benchmark 1: feed publish throughput through the client, against the same Lua script run with
 * bare Lettuce EVALSHA (same KEYS, same ARGV, ids generated the same way), with the same number of
 * publishes in flight on one connection.
 */
final class FeedPublishBench implements Benchmark {

    static final String RATE = "publishes/s";
    /** Original thoonk.js feed publishes per second on this kind of machine (quoted, not re-measured). */
    static final double THOONK_JS = 5_400;
    static final double MIN_RATIO = 0.9;
    static final double MIN_RATE = 10 * THOONK_JS;

    private static final Map<String, String> SETTINGS = Map.of("max_length", "1000", "history_length", "100");

    private final Thoonk thoonk;
    private final BareLettuce bare;
    private final BenchConfig config;
    private final ResourceUse resources;

    FeedPublishBench(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources) {
        this.resources = resources;
        this.thoonk = thoonk;
        this.bare = bare;
        this.config = config;
    }

    @Override
    public String key() {
        return "publish";
    }

    @Override
    public Comparison run() throws Exception {
        Variant client = new Variant("client", tag -> round("bench:publish:client:" + tag, name -> {
            AsyncFeed feed = thoonk.feed(name).async();
            return () -> feed.publish(Payload.ITEM);
        }));
        Variant lettuce = new Variant("bare Lettuce EVALSHA", tag -> round("bench:publish:bare:" + tag, name -> {
            String[] keys = BareLettuce.feedKeys(name);
            return () -> bare.<Long>evalsha(Script.FEED, ScriptOutputType.INTEGER, keys, name, "publish",
                    UUID.randomUUID().toString(), Payload.ITEM, "");
        }));
        return Comparison.run("feed publish", List.of(client, lettuce), config.warmups(), config.rounds(), resources);
    }

    /** Publishes to a fresh feed for one round, then deletes it. */
    private Metrics round(String name, Function<String, Supplier<CompletionStage<?>>> publisher) throws Exception {
        thoonk.registry().create(name, ObjectType.FEED, SETTINGS);
        try {
            InFlight.Outcome out = InFlight.run(config.publishWindow(), config.publishSeconds(), publisher.apply(name));
            return new Metrics().put(RATE, out.perSecond());
        } finally {
            thoonk.registry().delete(name);
        }
    }

    @Override
    public void report(Report report, Comparison c) {
        String client = c.variants().get(0);
        String lettuce = c.variants().get(1);
        double rate = c.median(client, RATE);
        double ratio = c.pairedRatio(RATE, client, lettuce);
        report.heading(2, "1. Feed publish throughput")
                .paragraph("One process, one connection, " + config.publishWindow() + " publishes in flight (each "
                        + "completion starts the next), " + Payload.BYTES + "-byte items, " + config.publishSeconds()
                        + " s per round, a fresh feed per round created with `max_length=1000`, "
                        + "`history_length=100` and deleted afterwards. **client**: `thoonk.feed(name).async()"
                        + ".publish(item)`. **bare Lettuce EVALSHA**: the client's own feed script "
                        + "(`Script.FEED.sha()`) through `RedisAsyncCommands.evalsha` with the same KEYS and ARGV "
                        + "and a `UUID.randomUUID()` id per publish. Both do the same Redis work, so the ratio is "
                        + "the client's overhead.")
                .medians(c, RATE)
                .targets(List.of(
                        new Target("client / bare Lettuce (median of paired ratios)", ">= " + Report.ratio(MIN_RATIO), Report.ratio(ratio),
                                ratio >= MIN_RATIO),
                        new Target("client publishes/s, one process", ">= " + Report.number(MIN_RATE)
                                + " (10x thoonk.js)", Report.number(rate) + " (" + Report.ratio(rate / THOONK_JS)
                                + " thoonk.js)", rate >= MIN_RATE)))
                .paragraph("Reference: the original thoonk.js publishes about " + Report.number(THOONK_JS)
                        + " feed items/s on this kind of 2-core machine. That figure is quoted, not re-measured here.")
                .paragraph(ceiling(c, client, lettuce))
                .rawRounds(c);
    }

    /** Whether Redis, not the client, set the pace: its CPU and the rate its script time allows. */
    private static String ceiling(Comparison c, String client, String lettuce) {
        double micros = c.median(client, ResourceUse.SCRIPT_MICROS);
        double cpu = c.median(client, ResourceUse.REDIS_CPU);
        return String.format(Locale.ROOT, "Where the limit is: Redis ran at %.0f%% (client) and %.0f%% (bare) of one "
                        + "core, and spent a median %.1f µs executing one publish script (client rounds; %.1f µs in "
                        + "bare rounds), which caps a single Redis at about %s publishes/s whatever the client does. "
                        + "At steady state each publish also trims one item (`max_length`), so the script writes the "
                        + "item, two history entries and four pub/sub messages. The ratio shows what the client adds; "
                        + "the absolute rate is the server's. On the client side, this JVM spent a median %.1f µs of "
                        + "CPU per publish through the client and %.1f µs through bare Lettuce (harness included in "
                        + "both); on 2 cores that CPU competes with Redis.",
                cpu, c.median(lettuce, ResourceUse.REDIS_CPU), micros, c.median(lettuce, ResourceUse.SCRIPT_MICROS),
                Report.number(1e6 / micros), c.median(client, m -> ResourceUse.jvmMicrosPerOp(m, RATE)),
                c.median(lettuce, m -> ResourceUse.jvmMicrosPerOp(m, RATE)));
    }
}
