package io.thoonk.bench;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Script;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Feed publish throughput through the client (which coalesces publishes that queue behind a running
 * script call), through the client with coalescing off ({@code publishBatch=1}), and through the
 * same Lua script run with bare Lettuce EVALSHA, one publish per call (same KEYS, same ARGV, ids
 * generated the same way), with the same number of publishes in flight on one connection. The
 * uncoalesced client against bare Lettuce is the client's overhead for the same Redis work. Two shapes of feed, each its own comparison: {@link #plain} (no
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
    static final String CLIENT = "client";
    static final String UNBATCHED = "client, publishBatch=1";
    static final String BARE = "bare Lettuce EVALSHA";
    static final String REDIS_MICROS_PER_PUBLISH = "redis µs/publish";

    /** What kind of feed a comparison publishes to. */
    private record Shape(String key, String title, Map<String, String> settings, boolean rateTarget) {
        String settingsText() {
            return String.join(", ", settings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").toList());
        }
    }

    private final Thoonk thoonk;
    private final Thoonk unbatched;
    private final BareLettuce bare;
    private final BenchConfig config;
    private final ResourceUse resources;
    private final Shape shape;

    private FeedPublishBench(Thoonk thoonk, Thoonk unbatched, BareLettuce bare, BenchConfig config,
                             ResourceUse resources, Shape shape) {
        this.resources = resources;
        this.thoonk = thoonk;
        this.unbatched = unbatched;
        this.bare = bare;
        this.config = config;
        this.shape = shape;
    }

    /** The headline: feeds without {@code max_length}, as thoonk.js's figure; held to 10x thoonk.js. */
    static FeedPublishBench plain(Thoonk thoonk, Thoonk unbatched, BareLettuce bare, BenchConfig config,
                                  ResourceUse resources) {
        return new FeedPublishBench(thoonk, unbatched, bare, config, resources, new Shape("plain",
                "Feed publish throughput (no max_length)", PLAIN_SETTINGS, true));
    }

    /** Feeds with {@code max_length=1000}: client against bare Lettuce only, no absolute target. */
    static FeedPublishBench trimmed(Thoonk thoonk, Thoonk unbatched, BareLettuce bare, BenchConfig config,
                                    ResourceUse resources) {
        return new FeedPublishBench(thoonk, unbatched, bare, config, resources, new Shape("trimmed",
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
        Variant client = new Variant(CLIENT, tag -> round(prefix + "client:" + tag,
                name -> clientPublisher(thoonk, name)));
        Variant single = new Variant(UNBATCHED, tag -> round(prefix + "single:" + tag,
                name -> clientPublisher(unbatched, name)));
        Variant lettuce = new Variant(BARE, tag -> round(prefix + "bare:" + tag,
                name -> barePublisher(bare, name)));
        Comparison c = Comparison.run("feed publish, " + shape.key() + " feed", List.of(client, single, lettuce),
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
        return () -> bare.<List<Object>>evalsha(Script.FEED, ScriptOutputType.MULTI, keys, name, "publish",
                UUID.randomUUID().toString(), Payload.ITEM);
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
        double rate = c.median(CLIENT, RATE);
        double overhead = c.pairedRatio(RATE, UNBATCHED, BARE);
        List<Target> targets = new ArrayList<>(List.of(new Target("client with publishBatch=1 / bare Lettuce "
                + "(median of paired ratios; same Redis work)", ">= " + Report.ratio(MIN_RATIO),
                Report.ratio(overhead), overhead >= MIN_RATIO)));
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
                        + "**" + CLIENT + "**: `thoonk.feed(name).async().publish(item)` with default options: "
                        + "publishes that arrive while a script call for the feed is running wait and then go "
                        + "together in one call (up to `publishBatch`=" + ThoonkOptions.DEFAULT_PUBLISH_BATCH
                        + "), each still its own change with its own revision, history entry and events. "
                        + "**" + UNBATCHED + "**: the same with every publish its own script call. **" + BARE
                        + "**: the client's own feed script (the contract module's `Script.FEED.sha()`) through "
                        + "`RedisAsyncCommands.evalsha`, one publish per call, with the same KEYS "
                        + "(`Keys.common(name, team, Keys.specific(\"feed\", name))` of the contract module, team "
                        + "from `TeamRule.standard()`) "
                        + "and ARGV and a `UUID.randomUUID()` id per publish. " + UNBATCHED + " and " + BARE
                        + " do the same Redis work, so their ratio is the client's overhead; " + CLIENT
                        + " against them is what coalescing gains.")
                .medians(c, RATE)
                .ratios(c, RATE, List.of(List.of(UNBATCHED, BARE), List.of(CLIENT, BARE), List.of(CLIENT, UNBATCHED)))
                .targets(targets)
                .paragraph(shape.rateTarget()
                        ? "Reference: the original thoonk.js publishes about " + Report.number(THOONK_JS) + " feed "
                        + "items/s on this kind of 2-core machine, to feeds without `max_length`, the shape measured "
                        + "here. That figure is quoted, not re-measured here."
                        : "This comparison has no absolute target: the 10x-thoonk.js target is about plain "
                        + "publishes (the previous section). It shows what trimming costs Redis, and that the "
                        + "client's overhead stays the same when it does.")
                .paragraph(ceiling(c))
                .rawRounds(c);
    }

    /** Publishes of a round over its script calls (the round's create and delete add two calls). */
    private double publishesPerCall(Metrics m) {
        return m.get(RATE) * config.publishSeconds() / m.get(ResourceUse.SCRIPT_CALLS);
    }

    /** Redis time per publish: script time per call over publishes per call. */
    private double redisMicrosPerPublish(Metrics m) {
        return m.get(ResourceUse.SCRIPT_MICROS) / publishesPerCall(m);
    }

    /** Whether Redis, not the client, set the pace: its CPU and the rate its script time allows. */
    private String ceiling(Comparison c) {
        String work = shape.settings().containsKey("max_length")
                ? "At steady state each publish also trims one item (`max_length`), so the script writes the item, "
                + "two history entries (the publish and the retract) and four pub/sub messages."
                : "Each publish adds its id (`ZADD`), its item and its revision (`HSET` of each), counts in "
                + "`feed.publishes`, and writes one history entry (`XADD` with `MAXLEN ~ 100`) and two pub/sub "
                + "messages (`feed.event` and `feed.publish`); nothing is trimmed from the feed itself. A "
                + "coalesced call writes the ids, items, revisions and count of all its publishes with one "
                + "`ZADD`, two `HSET`s and one `INCRBY`; the history entries and messages stay one per publish.";
        StringBuilder text = new StringBuilder("Where the limit is, per variant (medians): ");
        List<String> parts = new ArrayList<>();
        for (String v : c.variants()) {
            double perPublish = c.median(v, this::redisMicrosPerPublish);
            parts.add(String.format(Locale.ROOT, "**%s** Redis at %.0f%% of a core, %.1f µs of script time per "
                            + "publish (%s publishes per call, so at most about %s publishes/s from one Redis), "
                            + "this JVM %.1f µs of CPU per publish", v, c.median(v, ResourceUse.REDIS_CPU), perPublish,
                    String.format(Locale.ROOT, "%.1f", c.median(v, this::publishesPerCall)),
                    Report.number(1e6 / perPublish), c.median(v, m -> ResourceUse.jvmMicrosPerOp(m, RATE))));
        }
        text.append(String.join("; ", parts)).append(". ").append(work)
                .append(" Most of a script call's cost is per call (parsing its arguments, the fence and config "
                        + "checks, the clock), which coalescing pays once for many publishes. On 2 cores the "
                        + "JVM's CPU competes with Redis.");
        return text.toString();
    }
}
