package io.thoonk.bench;

import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.Durability;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Keys;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.Closer;
import io.thoonk.testing.Deadline;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;

import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * This cluster in the failover benchmark. Per round: a {@link LocalCluster} of {@value #COORDINATORS}
 * coordinators (one Hazelcast cluster, one ZooKeeper server in this JVM) with one shard of a primary
 * and one replica, the coordinators' {@code down-after} = the detection setting (probes every
 * 100 ms, their default); and a routing client ({@code Thoonk.connectCluster}) publishing item
 * {@code seq} under id {@code seq} to the feed {@value #FEED} ({@code feed.withDurability(d).async()
 * .publish(seq, seq)}), with {@link FailoverRound#WRITE_TIMEOUT} as its command timeout.
 *
 * <p>The durability measured is {@link Durability#AUTO} (the client's default), not
 * {@link Durability#REPLICATED}: AUTO is REPLICATED ({@code WAIT 1} behind every write) while the
 * directory names a live replica, and PRIMARY once it names none. After {@code kill -9} the promoted
 * replica is a shard without a live replica ({@code SHARD_DEGRADED}), on which REPLICATED refuses
 * every write ({@code ReplicationUnavailableException}): writes would never resume, as with Sentinel's
 * {@code min-replicas-to-write 1}. Every write acknowledged before the fault was acknowledged by a
 * replica, so none of them can be lost. {@link Durability#PRIMARY} is measured too, for the loss it
 * allows.
 *
 * <p>{@link FailoverTarget#killPrimary}/{@link FailoverTarget#pausePrimary} signal the process that
 * the directory names as the shard's primary; {@link FailoverTarget#settled} is true once the
 * directory names a primary that answers {@code role:master} and every other live node of the shard
 * replicates from it with its link up; {@link FailoverTarget#stored} reads the feed's ids from that
 * primary; {@link FailoverTarget#details} gives the phases of the failover the coordinators recorded,
 * in ms from the fault ({@link #FIRST_DOWN} .. {@link #PUBLISHED}), and their number.
 *
 * <p>{@link #durabilityVariants} measures what REPLICATED costs: feed publish throughput with
 * REPLICATED and with PRIMARY durability against one shard of a primary and a replica.
 */
final class ThoonkFailover implements FailoverSystem {

    static final String REPLICATED = "REPLICATED";
    static final String PRIMARY = "PRIMARY";
    static final int COORDINATORS = 3;
    static final String SHARD = "shard-1";
    static final String FEED = "team:1:failover";
    /** The ZooKeeper namespace, and so the coordinators' Hazelcast cluster name, of every cluster started here. */
    static final String NAMESPACE = "bench-failover";

    /** When the first probe saw the primary down (the failover record's start), ms from the fault. */
    static final String FIRST_DOWN = "first down probe ms";
    /** When a majority had seen it down for down-after (the leader decided to act). */
    static final String DETECTED = "detected ms";
    /** When the leader had chosen the replica and written its intent to ZooKeeper. */
    static final String DECIDED = "decided ms";
    /** When the chosen replica answered as primary. */
    static final String PROMOTED = "promoted ms";
    /** When the directory named the new primary (clients told through Watch). */
    static final String PUBLISHED = "published ms";
    /** Failovers of the shard in the round (the coordinators' records). */
    static final String FAILOVERS = "failovers";
    /** Phases, in the order of the round's metrics. */
    static final List<String> PHASES = List.of(FIRST_DOWN, DETECTED, DECIDED, PROMOTED, PUBLISHED);

    /** {@code WAIT} commands the primary ran in a throughput round. */
    static final String WAIT_CALLS = "WAIT calls";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);

    private final Durability durability;
    private LocalCluster throughputCluster;
    private Thoonk throughputClient;

    /** {@code durability}: of the benchmark's writes ({@link Durability#AUTO} or {@link Durability#PRIMARY}). */
    ThoonkFailover(Durability durability) {
        this.durability = Objects.requireNonNull(durability, "durability == null");
    }

    @Override
    public String name() {
        return durability == Durability.AUTO ? "Thoonk cluster" : "Thoonk cluster, durability " + durability;
    }

    /** The text the report uses for the durability of the writes. */
    String durabilityLabel() {
        return durability == Durability.AUTO ? "AUTO (REPLICATED while a replica is live)" : durability.name();
    }

    @Override
    public FailoverTarget start(Duration detection) {
        Closer started = new Closer();
        try {
            LocalCluster cluster = started.add(LocalCluster.builder().namespace(NAMESPACE).coordinators(COORDINATORS).shards(SHARD)
                    .replicasPerShard(1).coordinatorSettings(b -> b.downAfter(detection)).start());
            Target target = new Target(cluster, started);
            target.awaitReady();
            Thoonk client = started.add(Thoonk.connectCluster(cluster.coordinators().addresses(),
                    ThoonkOptions.builder().commandTimeout(FailoverRound.WRITE_TIMEOUT).durability(durability).build()));
            client.registry().create(FEED, ObjectType.FEED, Map.of());
            target.feed = client.feed(FEED).async();
            return target;
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    /** One round's cluster and client. */
    private static final class Target implements FailoverTarget {

        private final LocalCluster cluster;
        private final RedisShard shard;
        private final Closer owned;
        private volatile AsyncFeed feed;
        private volatile long faultMillis;
        private RedisProcess paused;

        Target(LocalCluster cluster, Closer owned) {
            this.cluster = cluster;
            this.shard = cluster.shard(SHARD);
            this.owned = owned;
        }

        /**
         * Waits until a failover can happen: every coordinator sees a majority of them and has probed
         * both nodes reachable, the shard is ACTIVE, and the leader has set {@code min-replicas-to-write 1}
         * on the primary (its upkeep ran with the replica live).
         */
        void awaitReady() {
            Deadline.await(READY_TIMEOUT, "the cluster did not get ready for a failover: " + cluster, () -> {
                try {
                    StatusResponse status = status();
                    Shard s = shard(status);
                    long reports = status.getNodesList().stream().filter(NodeHealth::getReachable).count();
                    return status.getQuorum() && s.getState() == ShardState.SHARD_ACTIVE
                            && reports >= (long) COORDINATORS * shard.processes().size()
                            && process(s.getPrimary()).command("CONFIG GET min-replicas-to-write").endsWith("\n1");
                } catch (StatusRuntimeException | IOException | FixtureException notYet) {
                    return false;
                }
            });
        }

        private StatusResponse status() {
            return AdminGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinators().leader()))
                    .withDeadlineAfter(STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .status(StatusRequest.getDefaultInstance());
        }

        private static Shard shard(StatusResponse status) {
            return status.getShardsList().stream().filter(s -> s.getId().equals(SHARD)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the directory has no shard " + SHARD));
        }

        /** The process of the shard at {@code address}. */
        private RedisProcess process(String address) {
            return shard.processes().stream().filter(p -> p.address().equals(address)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the directory names " + address
                            + ", which is not a node of " + shard));
        }

        private RedisProcess primary() {
            return process(shard(status()).getPrimary());
        }

        @Override
        public CompletionStage<?> write(long seq) {
            String s = Long.toString(seq);
            return feed.publish(s, s);
        }

        @Override
        public void killPrimary() {
            primary().kill();
            faultMillis = System.currentTimeMillis();
        }

        @Override
        public synchronized void pausePrimary() {
            paused = primary();
            paused.pause();
            faultMillis = System.currentTimeMillis();
        }

        @Override
        public synchronized void resumePrimary() {
            Objects.requireNonNull(paused, "no primary was paused").resume();
        }

        @Override
        public boolean settled() {
            try {
                RedisProcess primary = primary();
                return FailoverTarget.settledAround(shard, primary);
            } catch (StatusRuntimeException | IOException | FixtureException notAnswering) {
                return false;
            }
        }

        @Override
        public BitSet stored() {
            RedisProcess primary = primary();
            RedisClient client = RedisClient.create(RedisURI.Builder.redis(primary.host(), primary.port())
                    .withTimeout(FailoverRound.WRITE_TIMEOUT).build());
            try (StatefulRedisConnection<String, String> direct = client.connect()) {
                BitSet stored = new BitSet();
                direct.sync().zrange(Keys.ids(FEED), 0, -1).forEach(v -> stored.set(Integer.parseInt(v)));
                return stored;
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }

        /**
         * The phases of the shard's newest failover, in ms from the fault, and how many failovers the
         * shard had ({@link #FAILOVERS}: 1 when all went as it should).
         */
        @Override
        public Metrics details() {
            List<FailoverRecord> records = status().getRecentFailoversList().stream()
                    .filter(r -> r.getShardId().equals(SHARD)).toList();
            Metrics m = new Metrics().put(FAILOVERS, records.size());
            if (records.isEmpty() || faultMillis == 0) {
                return m;
            }
            FailoverRecord r = records.get(0); // newest first
            long start = r.getStartedAtMillis() - faultMillis;
            return m.put(FIRST_DOWN, start)
                    .put(DETECTED, start + r.getDetectedMillis())
                    .put(DECIDED, start + r.getDecidedMillis())
                    .put(PROMOTED, start + r.getPromotedMillis())
                    .put(PUBLISHED, start + r.getPublishedMillis());
        }

        @Override
        public void close() {
            owned.close();
        }
    }

    /**
     * Feed publish throughput with REPLICATED and with PRIMARY durability, one {@link Variant} each
     * (in that order), against one shard of a primary and a replica ({@link #durabilityResources}
     * measures its primary): a {@link LocalCluster} of one coordinator, and a routing client with
     * default options, publishing {@link Payload#ITEM} with {@code config.publishWindow()} publishes in
     * flight for {@code config.publishSeconds()} to a fresh feed per round (deleted after it). Both
     * stay up until {@link #close}.
     */
    List<Variant> durabilityVariants(BenchConfig config) {
        if (throughputCluster == null) {
            throughputCluster = LocalCluster.builder().namespace(NAMESPACE).shards(SHARD).replicasPerShard(1).start();
            throughputClient = Thoonk.connectCluster(throughputCluster.coordinators().addresses(),
                    ThoonkOptions.defaults());
        }
        return List.of(publishVariant(REPLICATED, Durability.REPLICATED, config),
                publishVariant(PRIMARY, Durability.PRIMARY, config));
    }

    /** The Redis the throughput variants publish to (its CPU and script time go into their rounds). */
    ResourceUse durabilityResources() {
        Objects.requireNonNull(throughputCluster, "durabilityVariants first");
        return new ResourceUse(throughputCluster.shard(SHARD).primary());
    }

    private Variant publishVariant(String name, Durability d, BenchConfig config) {
        return new Variant(name, tag -> {
            String feedName = "team:2:durability-" + name.toLowerCase(java.util.Locale.ROOT) + "-" + tag;
            throughputClient.registry().create(feedName, ObjectType.FEED, FeedPublishBench.PLAIN_SETTINGS);
            RedisProcess primary = throughputCluster.shard(SHARD).primary();
            try {
                AsyncFeed f = throughputClient.feed(feedName).withDurability(d).async();
                long waits = waitCalls(primary);
                InFlight.Outcome out = InFlight.run(config.publishWindow(), config.publishSeconds(),
                        () -> f.publish(Payload.ITEM));
                return new Metrics().put(FeedPublishBench.RATE, out.perSecond())
                        .put(WAIT_CALLS, waitCalls(primary) - waits);
            } finally {
                throughputClient.registry().delete(feedName);
            }
        });
    }

    /** {@code WAIT} commands {@code redis} has run ({@code INFO commandstats}). */
    private static long waitCalls(RedisProcess redis) {
        return ResourceUse.commandStat(redis.call("INFO commandstats"), "wait", "calls");
    }

    @Override
    public void close() {
        Closer closer = new Closer();
        if (throughputCluster != null) {
            closer.add(throughputCluster);
        }
        if (throughputClient != null) {
            closer.add(throughputClient);
        }
        throughputClient = null;
        throughputCluster = null;
        closer.close();
    }
}
