package io.thoonk.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * This cluster in the failover benchmark: the plug-in point for the Thoonk side, not measurable until
 * failure detection, promotion and durable writes are on main. Until then the report says
 * {@value #NOT_ON_MAIN} where its figures go.
 *
 * <p>To plug it in: make {@link #notMeasuredBecause()} return empty and {@link #start} return a
 * {@link FailoverTarget} over a {@code LocalCluster} (testing-cluster) with three coordinators,
 * {@code down-after} = {@code detection}, and one shard of a primary and a replica, plus a routing client
 * ({@code Thoonk.connectCluster}) with REPLICATED durability whose {@code write(seq)} publishes item
 * {@code seq} (as id and value) to one feed of one team; {@code killPrimary}/{@code pausePrimary}
 * signal the {@code RedisProcess} the directory names as that shard's primary; {@code settled} is
 * true once the directory names a primary that answers {@code role:master} and every other live node
 * of the shard replicates from it; {@code stored} reads the feed's ids from that primary. And make
 * {@link #durabilityVariants} return the two publish-throughput variants (named {@link #REPLICATED} and
 * {@link #PRIMARY}, each reporting {@link FeedPublishBench#RATE}).
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
