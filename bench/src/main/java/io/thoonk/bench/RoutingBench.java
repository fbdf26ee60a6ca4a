package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.testing.RedisProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The routing client ({@link Thoonk#connectCluster}) on a one-shard cluster whose only shard is the
 * benchmarks' Redis: feed publishes over many teams through it, through the single-shard client and
 * as bare Lettuce EVALSHA, side by side on the same Redis; what routing costs the client per
 * publish (its CPU per publish against the single-shard client's, measured through the public API
 * only); and the routing client's connections to the shard with few and with many teams in use.
 */
final class RoutingBench implements Benchmark {

    /** Teams the publishes are spread over, round-robin: {@code team:<i>:news-<round>}. */
    static final int TEAMS = 1_000;
    static final double MIN_RATIO = 0.95;
    /** Routing client CPU per publish over the single-shard client's: a cached route must be cheap. */
    static final double MAX_CPU_RATIO = 1.10;
    static final String ROUTING = "routing client";
    static final String SINGLE = "single-shard client";
    static final String BARE = "bare Lettuce EVALSHA";

    private final RedisProcess redis;
    private final Thoonk single;
    private final BareLettuce bare;
    private final BenchConfig config;
    private final ResourceUse resources;

    RoutingBench(RedisProcess redis, Thoonk single, BareLettuce bare, BenchConfig config, ResourceUse resources) {
        this.redis = redis;
        this.single = single;
        this.bare = bare;
        this.config = config;
        this.resources = resources;
    }

    @Override
    public String key() {
        return "routing";
    }

    @Override
    public Section run() throws Exception {
        try (Directory directory = Directory.empty();
             Coordinator coordinator = directory.startLeader("routing")) {
            ManagedChannel channel = Directory.channel(coordinator);
            try {
                AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).addShard(
                        AddShardRequest.newBuilder().setId("s0").setPrimary(redis.address()).build());
            } finally {
                channel.shutdownNow();
            }
            Comparison c;
            double firstResolve;
            try (Thoonk routing = Thoonk.connectCluster(List.of(coordinator.address()), ThoonkOptions.defaults())) {
                // every team resolved (and, the directory being empty, placed) before the rounds
                long t0 = System.nanoTime();
                publishToTeams(routing, "resolve", 0, TEAMS);
                firstResolve = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%n== routing client: first publish to %d new teams (Resolve + placement): %.2f s%n",
                        TEAMS, firstResolve);
                deleteFeeds(single, "resolve");
                c = Comparison.run("routing client vs single-shard client vs bare Lettuce, feed publish over "
                        + TEAMS + " teams", List.of(
                        new Variant(ROUTING, tag -> round("r" + tag, name -> FeedPublishBench.clientPublisher(routing, name))),
                        new Variant(SINGLE, tag -> round("s" + tag, name -> FeedPublishBench.clientPublisher(single, name))),
                        new Variant(BARE, tag -> round("b" + tag, name -> FeedPublishBench.barePublisher(bare, name)))),
                        config.warmups(), config.rounds(), resources);
            }
            Metrics connections = connections(coordinator);
            return report -> report(report, c, connections, firstResolve);
        }
    }

    private static String[] names(String tag) {
        String[] names = new String[TEAMS];
        for (int i = 0; i < TEAMS; i++) {
            names[i] = "team:" + i + ":news-" + tag;
        }
        return names;
    }

    /**
     * One round: a fresh feed per team (created and deleted outside the timed window through the
     * single-shard client, whatever the variant), publishes spread round-robin over them.
     */
    private Metrics round(String tag, Function<String, Supplier<CompletionStage<?>>> publisher) throws Exception {
        String[] names = names(tag);
        List<Supplier<CompletionStage<?>>> publishers = new ArrayList<>(TEAMS);
        for (String name : names) {
            single.registry().create(name, ObjectType.FEED, FeedPublishBench.PLAIN_SETTINGS);
            publishers.add(publisher.apply(name));
        }
        try {
            AtomicInteger next = new AtomicInteger();
            InFlight.Outcome out = InFlight.run(config.publishWindow(), config.publishSeconds(),
                    () -> publishers.get(Math.floorMod(next.getAndIncrement(), TEAMS)).get());
            return new Metrics().put(FeedPublishBench.RATE, out.perSecond());
        } finally {
            for (String name : names) {
                single.registry().delete(name);
            }
        }
    }

    /** The name ({@code CLIENT SETNAME}) the Thoonk client gives every connection it opens to Redis. */
    static final String CLIENT_NAME = "thoonk";
    static final String BEFORE = "Redis connections before the fresh routing client";
    static final String OPENED = "after connectCluster (no team used)";
    static final String TEN = "after publishing to 10 teams";
    static final String THOUSAND = "after publishing to " + TEAMS + " teams";

    /**
     * The Thoonk clients' connections on the Redis ({@link #clients()}: the single-shard client's, any
     * left by the benchmarks that ran before) before a fresh routing client, and as it uses 10, then
     * {@link #TEAMS} teams.
     */
    private Metrics connections(Coordinator coordinator) throws Exception {
        Metrics m = new Metrics().put(BEFORE, clients());
        try (Thoonk fresh = Thoonk.connectCluster(List.of(coordinator.address()), ThoonkOptions.defaults())) {
            m.put(OPENED, clients());
            publishToTeams(fresh, "connections", 0, 10);
            m.put(TEN, clients());
            publishToTeams(fresh, "connections", 10, TEAMS);
            m.put(THOUSAND, clients());
            deleteFeeds(fresh, "connections");
        }
        System.out.printf("%n== routing client connections: %s%n", m);
        return m;
    }

    /** One publish to each feed {@code team:<i>:<object>}, i in [from, to), all in flight at once. */
    private static void publishToTeams(Thoonk client, String object, int from, int to) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (int i = from; i < to; i++) {
            writes.add(client.feed("team:" + i + ":" + object).async().publish(Payload.ITEM).toCompletableFuture());
        }
        writes.forEach(CompletableFuture::join);
    }

    private static void deleteFeeds(Thoonk client, String object) {
        for (int i = 0; i < TEAMS; i++) {
            client.registry().delete("team:" + i + ":" + object);
        }
    }

    /**
     * Connections on the Redis named {@value #CLIENT_NAME} (the Thoonk clients' own; not the
     * coordinator's probe and fence connections, nor the bare Lettuce one, nor the socket asking).
     */
    private double clients() {
        return redis.call("CLIENT LIST").lines().filter(l -> l.contains(" name=" + CLIENT_NAME + " ")).count();
    }

    private void report(Report report, Comparison c, Metrics connections, double firstResolve) {
        double ratio = c.pairedRatio(FeedPublishBench.RATE, ROUTING, SINGLE);
        ToDoubleFunction<Metrics> cpuPerPublish = m -> ResourceUse.jvmMicrosPerOp(m, FeedPublishBench.RATE);
        double cpuRatio = c.pairedRatio(cpuPerPublish, ROUTING, SINGLE);
        double routingCpu = c.median(ROUTING, cpuPerPublish);
        double singleCpu = c.median(SINGLE, cpuPerPublish);
        double ten = connections.get(TEN) - connections.get(BEFORE);
        double thousand = connections.get(THOUSAND) - connections.get(BEFORE);
        report.section("Routing client")
                .paragraph("A ZooKeeper server and one coordinator in this JVM; the benchmarks' `redis-server` is "
                        + "registered (`Admin.AddShard`) as the cluster's only shard, so the three variants below "
                        + "write to the same Redis in the same run. Same workload as the headline (\"Feed publish throughput (no max_length)\"): "
                        + config.publishWindow() + " publishes in flight, " + Payload.BYTES + "-byte items, "
                        + config.publishSeconds() + " s per round, feeds with `history_length=100` and no "
                        + "`max_length`; but each round publishes to " + TEAMS + " fresh feeds `team:<i>:news-<round>` "
                        + "(i = 0.." + (TEAMS - 1) + ", one per team), round-robin, so the routing client looks up "
                        + "a team's route on every publish. The feeds are created before and deleted after each "
                        + "round (untimed, through the single-shard client for every variant). Before the rounds the "
                        + "routing client publishes once to each of the " + TEAMS + " teams (all at once), which "
                        + "resolves them (`Directory.Resolve`; the directory being empty, the coordinator places "
                        + "each new team, one ZooKeeper write each): that took "
                        + String.format(Locale.ROOT, "%.2f s", firstResolve) + "; from then on every route is "
                        + "cached. **routing client**: `Thoonk.connectCluster(...)`, "
                        + "`feed(name).async().publish(item)`; **single-shard client**: the same through "
                        + "`Thoonk.connect(redisUri)`; **bare Lettuce EVALSHA**: the headline's bare variant (the "
                        + "client's feed script, same KEYS and ARGV). The routing client's write scripts carry the "
                        + "team epoch (`\"1\"`) as ARGV[3] where the single-shard client and the bare variant send "
                        + "`\"\"`: the script reads the team's fence hash either way (`KEYS[5]`) and only compares "
                        + "the epoch when one is given, so the Redis work is the same.")
                .medians(c, FeedPublishBench.RATE)
                .ratios(c, FeedPublishBench.RATE, List.of(List.of(ROUTING, SINGLE), List.of(SINGLE, BARE),
                        List.of(ROUTING, BARE)))
                .targets(List.of(
                        new Target("routing client / single-shard client (median of paired ratios)",
                                ">= " + Report.ratio(MIN_RATIO), Report.ratio(ratio), ratio >= MIN_RATIO),
                        new Target("routing client CPU per publish / single-shard client's (median of paired "
                                + "ratios)", "<= " + Report.ratio(MAX_CPU_RATIO), Report.ratio(cpuRatio),
                                cpuRatio <= MAX_CPU_RATIO),
                        new Target("routing client's Redis connections, 10 vs " + TEAMS + " teams used", "equal",
                                Report.number(ten) + " vs " + Report.number(thousand), ten == thousand)))
                .paragraph(String.format(Locale.ROOT, "What routing costs the client: this JVM's CPU time per "
                                + "publish in each round (`bench JVM CPU %%` over publishes/s), routing client "
                                + "against single-shard client. Both run the same public calls on the same Redis; "
                                + "the routing client also looks up the team's cached route (and sends its epoch) "
                                + "on every publish, each publish to another team. Measured through the public API "
                                + "only, so it includes everything else the two clients do differently. Medians: "
                                + "routing client %s µs, single-shard client %s µs per publish (the JVM also runs "
                                + "the coordinator and the bare variant's idle connection).",
                        Report.number(routingCpu), Report.number(singleCpu)))
                .paragraph("Connections: the Thoonk clients' connections in `CLIENT LIST` on the Redis (those named `"
                        + CLIENT_NAME + "`, as the client names every connection it opens: the single-shard client's, "
                        + "any left by the benchmarks that ran before; the routing client of the rounds is closed by "
                        + "then; not the coordinator's probe connections `thoonk-coordinator-probe` or its fence "
                        + "connection, nor the bare Lettuce connection), before a fresh routing client, once it is "
                        + "connected, after it published to teams 0-9, and after it published to teams 0-"
                        + (TEAMS - 1) + ". The routing client's own connections are the difference from the first "
                        + "line: " + Report.number(connections.get(OPENED) - connections.get(BEFORE)) + " when "
                        + "connected, " + Report.number(ten) + " with 10 teams, " + Report.number(thousand)
                        + " with " + TEAMS + " teams (one command connection per shard primary; nothing here "
                        + "subscribes, so no pub/sub connection).")
                .figures("`CLIENT LIST` connections named `" + CLIENT_NAME + "`", connections)
                .rawRounds(c);
    }
}
