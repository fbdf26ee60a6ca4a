package io.thoonk.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * This cluster in the failover benchmark: the plug-in point for the Thoonk side, not measurable until
 * failure detection, promotion and durable writes are on main. Until then the report says
 * {@value #NOT_ON_MAIN} where its figures go.
 *
 * <p>To plug it in (a few lines here, nothing elsewhere): make {@link #notMeasuredBecause()} return
 * empty and {@link #start} return a {@link FailoverTarget} over
 * {@code LocalCluster.builder().coordinators(3).shards(1).replicasPerShard(1)
 * .coordinatorSettings(b -> b.downAfter(detection)).start()} (testing-cluster) and a routing client
 * ({@code Thoonk.connectCluster(cluster.coordinators().addresses(), options)}, REPLICATED durability,
 * the same {@link FailoverRound#WRITE_TIMEOUT} as command timeout) whose {@code write(seq)} publishes
 * item {@code seq} (as id and value) to one feed of one team; {@code killPrimary}/{@code pausePrimary}
 * signal the {@code RedisProcess} that the directory names as that team's shard primary;
 * {@code settled} is true once the directory names a primary that answers {@code role:master} and
 * every other live node of the shard replicates from it with its link up; {@code stored} reads the
 * feed's ids from that primary. The benchmark then runs it in the same rounds as Sentinel, at the
 * same settings, and fills in the ratios and targets. For the throughput slot, make
 * {@link #durabilityVariants} return the two publish-throughput variants (named {@link #REPLICATED}
 * and {@link #PRIMARY}, each reporting {@link FeedPublishBench#RATE}), run against one shard of a
 * primary and a replica.
 */
final class ThoonkFailover implements FailoverSystem {

    static final String NOT_ON_MAIN = "not measured: failover not on main yet";
    static final String REPLICATED = "REPLICATED";
    static final String PRIMARY = "PRIMARY";

    @Override
    public String name() {
        return "Thoonk cluster";
    }

    @Override
    public Optional<String> notMeasuredBecause() {
        return Optional.of(NOT_ON_MAIN);
    }

    @Override
    public FailoverTarget start(Duration detection) {
        throw new UnsupportedOperationException(name() + " cannot run a failover round: " + NOT_ON_MAIN);
    }

    /**
     * Feed publish throughput with REPLICATED and with PRIMARY durability against the same shard of a
     * primary and a replica, one {@link Variant} each (in that order); empty while
     * {@link #notMeasuredBecause()} says why.
     */
    List<Variant> durabilityVariants(BenchConfig config) {
        return List.of();
    }
}
