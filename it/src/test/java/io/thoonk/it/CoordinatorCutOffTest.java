package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.testing.TcpProxy;
import io.thoonk.testing.cluster.Coordinators;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One coordinator of three loses its path to the Redis nodes (its probes go through proxies that
 * stop forwarding, a silent partition) while a routing client writes: it sees the primary
 * unreachable for far longer than down-after, but the others still reach it, so nothing is
 * promoted and no write fails. The cut-off coordinator is the leader, the one that would promote.
 */
class CoordinatorCutOffTest {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorCutOffTest.class);

    /** Two coordinators of a cluster of three; the test starts the third (and a fourth) itself. */
    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(FaultCluster.builder().coordinators(2)
            .coordinatorSettings(c -> c.clusterSize(3)));

    static final int RATE = 125;
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Duration DOWN_AFTER = Duration.ofMillis(500);

    final Map<String, TcpProxy> proxies = new HashMap<>();

    @AfterEach
    void closeProxies() throws Exception {
        for (TcpProxy proxy : proxies.values()) {
            proxy.close();
        }
    }

    static void awaitAcks(WriteLoad load, long since, int count) {
        load.awaitAcksIssuedAfter(since, count, WAIT);
    }

    @Test
    void a_leader_cut_off_from_the_redis_nodes_promotes_nothing_while_the_others_reach_them() throws Exception {
        FaultCluster cluster = new FaultCluster(local.cluster());
        Coordinators coordinators = cluster.cluster().coordinators();
        Shard before = cluster.shard("s0");
        String primary = before.getPrimary();
        for (String node : List.of(primary, before.getReplicas(0))) {
            proxies.put(node, TcpProxy.to(node));
        }
        // c3 reaches s0's nodes only through the proxies; then c1 and c2 give way to c4, so c3 leads
        Coordinator cut = coordinators.start("c3", c -> c.nodeAddresses(node -> proxies.containsKey(node)
                ? proxies.get(node).address() : node));
        for (Coordinator c : coordinators.all()) {
            if (c != cut) {
                coordinators.stop(c);
            }
        }
        Coordinator other = coordinators.start("c4");
        assertThat(coordinators.leader()).as("the leader").isSameAs(cut);
        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : List.of(cut, other)) {
                assertThat(c.nodeHealth().hasQuorum()).as("quorum at %s", c.id()).isTrue();
                assertThat(c.nodeHealth().reports(primary)).as("reports of %s at %s", primary, c.id())
                        .containsOnlyKeys("c3", "c4").allSatisfy((by, r) -> assertThat(r.reachable()).isTrue());
            }
        });

        try (Thoonk thoonk = cluster.client()) {
            List<Feed> feeds = cluster.feeds(thoonk, "s0", "1", "2", "3", "4");
            RevisionRecorder heard = new RevisionRecorder();
            List<Subscription> subscriptions = new ArrayList<>();
            feeds.forEach(f -> subscriptions.add(f.subscribe(1, heard)));
            WriteLoad load = new WriteLoad(feeds, RATE);
            awaitAcks(load, 0, 200);

            proxies.values().forEach(TcpProxy::stall);
            long fault = System.nanoTime();
            // the leader's own probes say the primary is unreachable, for well past down-after, and c4 hears it
            await().atMost(WAIT).untilAsserted(() -> {
                NodeReport fromCut = other.nodeHealth().reports(primary).get("c3");
                assertThat(fromCut.reachable()).isFalse();
                assertThat(fromCut.downForMillis()).isGreaterThanOrEqualTo(3 * DOWN_AFTER.toMillis());
            });
            awaitAcks(load, System.nanoTime(), 200);
            long cutFor = (System.nanoTime() - fault) / 1_000_000;
            for (Coordinator c : List.of(cut, other)) {
                assertThat(c.nodeHealth().isDown(primary)).as("primary down at %s", c.id()).isFalse();
            }
            Shard during = cluster.shard("s0");
            assertThat(during.getEpoch()).as("epoch").isEqualTo(before.getEpoch());
            assertThat(during.getPrimary()).isEqualTo(primary);
            assertThat(during.getState()).isEqualTo(ShardState.SHARD_ACTIVE);
            assertThat(cluster.failovers()).as("failovers").isEmpty();

            proxies.values().forEach(TcpProxy::unstall);
            await().atMost(WAIT).untilAsserted(() -> assertThat(other.nodeHealth().reports(primary).get("c3")
                    .reachable()).isTrue());
            load.stop(WAIT);
            assertThat(load.failures()).as("failures of the writers").isEmpty();
            Map<String, Long> last = load.assertAcknowledgedOnceOn(cluster.primary("s0"));
            last.forEach((feed, revision) -> heard.assertHeardOnce(feed, revision, WAIT));
            subscriptions.forEach(Subscription::close);
            assertThat(cluster.shard("s0").getEpoch()).isEqualTo(before.getEpoch());
            log.info("leader c3 cut off from s0's nodes for {} ms: no promotion, no failed write; {} writes "
                    + "acknowledged, none lost, items per feed {}", cutFor, load.acks().size(), last);
        }
    }
}
