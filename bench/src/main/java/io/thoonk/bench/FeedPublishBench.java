package io.thoonk.bench;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.internal.Script;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Feed publish throughput through the client, against the same Lua script run with bare Lettuce
 * EVALSHA (same KEYS, same ARGV, ids generated the same way), with the same number of publishes in
 * flight on one connection. Two shapes of feed, each its own comparison: {@link #plain} (no
 * {@code max_length}: the headline, held to the 10x-thoonk.js target) and {@link #trimmed}
 * ({@code max_length=1000}: every publish at steady state also retracts the oldest item).
 */
final class FeedPublishBench implements Benchmark {

    static final String RATE = "publishes/s";
    /**
     * Original thoonk.js feed publishes per second on this kind of machine, for feeds without
     * {@code max_length} (quoted, not re-measured).
     */
    static final double THOONK_JS = 5_400;
    static final double MIN_RATIO = 0.9;
    static final double MIN_RATE = 10 * THOONK_JS;
    /** Settings of the headline's feeds: no {@code max_length}. */
    static final Map<String, String> PLAIN_SETTINGS = Map.of("history_length", "100");

    /** What kind of feed a comparison publishes to. */
    private record Shape(String key, String title, Map<String, String> settings, boolean rateTarget) {
        String settingsText() {
            return String.join(", ", settings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").toList());
        }
    }

    private final Thoonk thoonk;
    private final BareLettuce bare;
    private final BenchConfig config;
    private final ResourceUse resources;
    private final Shape shape;

    private FeedPublishBench(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources, Shape shape) {
        this.resources = resources;
        this.thoonk = thoonk;
        this.bare = bare;
        this.config = config;
        this.shape = shape;
    }

    /** The headline: feeds without {@code max_length}, as thoonk.js's figure; held to 10x thoonk.js. */
    static FeedPublishBench plain(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources) {
        return new FeedPublishBench(thoonk, bare, config, resources, new Shape("plain",
                "Feed publish throughput (no max_length)", PLAIN_SETTINGS, true));
    }

    /** Feeds with {@code max_length=1000}: client against bare Lettuce only, no absolute target. */
    static FeedPublishBench trimmed(Thoonk thoonk, BareLettuce bare, BenchConfig config, ResourceUse resources) {
        return new FeedPublishBench(thoonk, bare, config, resources, new Shape("trimmed",
                "Feed publish throughput, trimmed feed (max_length=1000)",
                Map.of("max_length", "1000", "history_length", "100"), false));
    }

    @Override
    public String key() {
        return "publish";
    }

    @Override
    public Section run() throws Exception {
        String prefix = "bench:publish-" + shape.key() + ":";
        Variant client = new Variant("client", tag -> round(prefix + "client:" + tag,
                name -> clientPublisher(thoonk, name)));
        Variant lettuce = new Variant("bare Lettuce EVALSHA", tag -> round(prefix + "bare:" + tag,
                name -> barePublisher(bare, name)));
        Comparison c = Comparison.run("feed publish, " + shape.key() + " feed", List.of(client, lettuce),
                config.warmups(), config.rounds(), resources);
        return report -> report(report, c);
    }

    /** One publish of {@link Payload#ITEM} to the feed {@code name} through a client: {@code feed.async().publish}. */
    static Supplier<CompletionStage<?>> clientPublisher(Thoonk thoonk, String name) {
        AsyncFeed feed = thoonk.feed(name).async();
        return () -> feed.publish(Payload.ITEM);
    }

    /**
     * The same publish as {@link #clientPublisher}, as bare Lettuce EVALSHA of the client's feed script with
     * the client's KEYS and ARGV (team epoch {@code ""}, as the single-shard client sends) and a random id.
     */
    static Supplier<CompletionStage<?>> barePublisher(BareLettuce bare, String name) {
        String[] keys = BareLettuce.keys(ObjectType.FEED, name);
        return () -> bare.<Long>evalsha(Script.FEED, ScriptOutputType.INTEGER, keys, name, "publish",
                UUID.randomUUID().toString(), Payload.ITEM, "");
    }

    /** Publishes to a fresh feed for one round, then deletes it (with everything published to it). */
    private Metrics round(String name, Function<String, Supplier<CompletionStage<?>>> publisher) throws Exception {
        thoonk.registry().create(name, ObjectType.FEED, shape.settings());
        try {
            InFlight.Outcome out = InFlight.run(config.publishWindow(), config.publishSeconds(), publisher.apply(name));
            return new Metrics().put(RATE, out.perSecond());
        } finally {
            thoonk.registry().delete(name);
        }
    }

    private void report(Report report, Comparison c) {
        String client = c.variants().get(0);
        String lettuce = c.variants().get(1);
        double rate = c.median(client, RATE);
        double ratio = c.pairedRatio(RATE, client, lettuce);
        List<Target> targets = new ArrayList<>(List.of(new Target("client / bare Lettuce (median of paired ratios)",
                ">= " + Report.ratio(MIN_RATIO), Report.ratio(ratio), ratio >= MIN_RATIO)));
        if (shape.rateTarget()) {
            targets.add(new Target("client publishes/s, one process", ">= " + Report.number(MIN_RATE)
                    + " (10x thoonk.js)", Report.number(rate) + " (" + Report.ratio(rate / THOONK_JS)
                    + " thoonk.js)", rate >= MIN_RATE));
        }
        report.section(shape.title())
                .paragraph("One process, one connection, " + config.publishWindow() + " publishes in flight (each "
                        + "completion starts the next), " + Payload.BYTES + "-byte items, " + config.publishSeconds()
                        + " s per round, a fresh feed per round created with " + shape.settingsText()
                        + (shape.settings().containsKey("max_length") ? "" : " and no `max_length` (the feed keeps "
                        + "every item of the round)") + ", deleted after the round with all it holds. "
                        + "**client**: `thoonk.feed(name).async().publish(item)`. **bare Lettuce EVALSHA**: the "
                        + "client's own feed script (`Script.FEED.sha()`) through `RedisAsyncCommands.evalsha` with "
                        + "the same KEYS (`Keys.common(name, team, Keys.specific(FEED, name))`, team from "
                        + "`TeamRule.standard()`) and ARGV and a `UUID.randomUUID()` id per publish. Both do the "
                        + "same Redis work, so the ratio is the client's overhead.")
                .medians(c, RATE)
                .targets(targets)
                .paragraph(shape.rateTarget()
                        ? "Reference: the original thoonk.js publishes about " + Report.number(THOONK_JS) + " feed "
                        + "items/s on this kind of 2-core machine, to feeds without `max_length`, the shape measured "
                        + "here. That figure is quoted, not re-measured here."
                        : "This comparison has no absolute target: the 10x-thoonk.js target is about plain "
                        + "publishes (the previous section). It shows what trimming costs Redis, and that the "
                        + "client's overhead stays the same when it does.")
                .paragraph(ceiling(c, client, lettuce))
                .rawRounds(c);
    }

    /** Whether Redis, not the client, set the pace: its CPU and the rate its script time allows. */
    private String ceiling(Comparison c, String client, String lettuce) {
        double micros = c.median(client, ResourceUse.SCRIPT_MICROS);
        double cpu = c.median(client, ResourceUse.REDIS_CPU);
        String work = shape.settings().containsKey("max_length")
                ? "At steady state each publish also trims one item (`max_length`), so the script writes the item, "
                + "two history entries (the publish and the retract) and four pub/sub messages."
                : "Each publish writes the item (`ZADD` of its id, `HSET` of item and revision, `INCR` of the "
                + "publish count), one history entry (`XADD` with `MAXLEN 100`, which drops the oldest entry) and "
                + "two pub/sub messages (`feed.event` and `feed.publish`); nothing is trimmed from the feed itself.";
        return String.format(Locale.ROOT, "Where the limit is: Redis ran at %.0f%% (client) and %.0f%% (bare) of one "
                        + "core, and spent a median %.1f µs executing one publish script (client rounds; %.1f µs in "
                        + "bare rounds), which caps a single Redis at about %s publishes/s whatever the client does. "
                        + "%s The ratio shows what the client adds; the absolute rate is the server's. On the client "
                        + "side, this JVM spent a median %.1f µs of CPU per publish through the client and %.1f µs "
                        + "through bare Lettuce (harness included in both); on 2 cores that CPU competes with Redis.",
                cpu, c.median(lettuce, ResourceUse.REDIS_CPU), micros, c.median(lettuce, ResourceUse.SCRIPT_MICROS),
                Report.number(1e6 / micros), work, c.median(client, m -> ResourceUse.jvmMicrosPerOp(m, RATE)),
                c.median(lettuce, m -> ResourceUse.jvmMicrosPerOp(m, RATE)));
    }
}
