package io.thoonk.coordinator;

import io.thoonk.testing.TcpProxy;

import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failure detection with three coordinators (one Hazelcast cluster), a shard of a primary and a
 * replica (real redis-server processes) and faults: kill -9, SIGSTOP, a coordinator cut off from
 * the nodes, a coordinator cut off from the others.
 */
class FailureDetectionTest {

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    static final Duration DOWN_AFTER = Duration.ofMillis(500);
    /**
     * How much later than down-after after the fault every coordinator may see the node down. The
     * expected delay is up to one probe interval (100 ms) plus the gossip (a few ms); measured on 2
     * shared cores, kill -9: 500-560 ms, SIGSTOP: 500-620 ms. Generous, for loaded machines.
     */
    static final Duration DETECTION_MARGIN = Duration.ofMillis(1_000);
    static final Duration WAIT = Duration.ofSeconds(15);

    RedisShard shard;
    String primary;
    String replica;

    @BeforeEach
    void startShard() {
        shard = coordinators.own(RedisShard.start(1));
        primary = shard.primaryAddress();
        replica = shard.replicaAddresses().get(0);
    }

    /** Three coordinators of a cluster of three, the shard registered, every node seen up by all. */
    List<Coordinator> startThree(UnaryOperator<CoordinatorConfig.Builder> third) throws Exception {
        List<Coordinator> all = new ArrayList<>();
        for (String id : List.of("c1", "c2", "c3")) {
            CoordinatorConfig.Builder config = coordinators.config(id).clusterSize(3).downAfter(DOWN_AFTER);
            all.add(coordinators.start(id.equals("c3") ? third.apply(config) : config));
        }
        Coordinator leader = Coordinator.awaitLeader(all, LocalCoordinators.LEADERSHIP_TIMEOUT);
        AdminGrpc.newBlockingStub(coordinators.channel(leader)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .addShard(AddShardRequest.newBuilder().setId("s1").setPrimary(primary).addReplicas(replica).build());
        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : all) {
                assertThat(c.nodeHealth().hasQuorum()).as("quorum on %s", c.id()).isTrue();
                for (String node : List.of(primary, replica)) {
                    assertThat(c.nodeHealth().reports(node)).as("reports on %s at %s", node, c.id())
                            .containsOnlyKeys("c1", "c2", "c3").allSatisfy((by, r) -> assertThat(r.reachable()).isTrue());
                }
            }
        });
        return all;
    }

    List<Coordinator> startThree() throws Exception {
        return startThree(UnaryOperator.identity());
    }

    /** Records, per coordinator, when it first saw {@code node} down, and when it first saw it up after that. */
    static final class Verdicts {
        final Map<String, Long> down = new ConcurrentHashMap<>();
        final Map<String, Long> upAgain = new ConcurrentHashMap<>();

        Verdicts(List<Coordinator> all, String node) {
            for (Coordinator c : all) {
                NodeHealthView health = c.nodeHealth();
                health.addListener(changed -> {
                    if (!changed.equals(node)) {
                        return;
                    }
                    long now = System.nanoTime();
                    if (health.isDown(node)) {
                        down.putIfAbsent(c.id(), now);
                    } else if (down.containsKey(c.id())) {
                        upAgain.putIfAbsent(c.id(), now);
                    }
                });
            }
        }

        static Map<String, Long> millisSince(long start, Map<String, Long> times) {
            Map<String, Long> out = new HashMap<>();
            times.forEach((id, at) -> out.put(id, (at - start) / 1_000_000));
            return out;
        }
    }

    @Test
    void a_killed_primary_is_down_on_every_coordinator_soon_after_down_after_and_its_replica_stays_up()
            throws Exception {
        List<Coordinator> all = startThree();
        StatusResponse before = status(all.get(1));
        assertThat(before.getQuorum()).isTrue();
        assertThat(before.getNodesList()).hasSize(6).allSatisfy(n -> {
            assertThat(n.getShardId()).isEqualTo("s1");
            assertThat(n.getReachable()).isTrue();
            assertThat(n.getError()).isEmpty();
            assertThat(n.getProbedAtMillis()).isPositive();
        });
        assertThat(before.getNodesList()).extracting(NodeHealth::getCoordinatorId).containsOnly("c1", "c2", "c3");
        assertThat(before.getNodesList()).filteredOn(n -> n.getNode().equals(primary))
                .extracting(NodeHealth::getRole).containsOnly("master");
        assertThat(before.getNodesList()).filteredOn(n -> n.getNode().equals(replica))
                .allSatisfy(n -> assertThat(n.getRole()).isEqualTo("slave"))
                .allSatisfy(n -> assertThat(n.getLinkUp()).isTrue());
        Verdicts verdicts = new Verdicts(all, primary);

        long fault = System.nanoTime();
        shard.primary().kill();

        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> verdicts.down.size() == 3);
        Map<String, Long> detected = Verdicts.millisSince(fault, verdicts.down);
        System.out.println("detection after kill -9 (down-after " + DOWN_AFTER.toMillis() + " ms), ms: " + detected);
        assertThat(detected.values()).allSatisfy(ms -> assertThat(ms).isBetween(DOWN_AFTER.toMillis(),
                DOWN_AFTER.plus(DETECTION_MARGIN).toMillis()));
        for (Coordinator c : all) {
            assertThat(c.nodeHealth().isDown(primary)).isTrue();
            assertThat(c.nodeHealth().isDown(replica)).as("the replica on %s", c.id()).isFalse();
            assertThat(c.nodeHealth().reports(replica).values()).allSatisfy(r -> assertThat(r.reachable()).isTrue());
            assertThat(c.nodeHealth().reports(primary).values()).hasSize(3).allSatisfy(r -> {
                assertThat(r.reachable()).isFalse();
                assertThat(r.error()).isNotEmpty();
                assertThat(r.role()).as("the role it said last").isEqualTo("master");
            }).filteredOn(r -> r.downForMillis() >= DOWN_AFTER.toMillis()).as("down for down-after").hasSizeGreaterThanOrEqualTo(2);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(status(all.get(0)).getNodesList())
                .filteredOn(n -> n.getNode().equals(primary)).hasSize(3)
                .allSatisfy(n -> assertThat(n.getReachable()).isFalse())
                .allSatisfy(n -> assertThat(n.getDownForMillis()).isGreaterThanOrEqualTo(DOWN_AFTER.toMillis())));
    }

    @Test
    void a_paused_primary_is_down_and_up_again_once_it_resumes() throws Exception {
        List<Coordinator> all = startThree();
        Verdicts verdicts = new Verdicts(all, primary);

        long fault = System.nanoTime();
        shard.primary().pause();
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> verdicts.down.size() == 3);
            Map<String, Long> detected = Verdicts.millisSince(fault, verdicts.down);
            System.out.println("detection after SIGSTOP (down-after " + DOWN_AFTER.toMillis() + " ms), ms: "
                    + detected);
            assertThat(detected.values()).allSatisfy(ms -> assertThat(ms).isBetween(DOWN_AFTER.toMillis(),
                    DOWN_AFTER.plus(DETECTION_MARGIN).toMillis()));
            assertThat(all.get(0).nodeHealth().reports(primary).values())
                    .allSatisfy(r -> assertThat(r.error()).startsWith("no answer within"));
        } finally {
            long resumed = System.nanoTime();
            shard.primary().resume();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> verdicts.upAgain.size() == 3);
            System.out.println("up again after SIGCONT, ms: " + Verdicts.millisSince(resumed, verdicts.upAgain));
        }
        // up for one coordinator suffices for "not down"; the others' reports follow within moments
        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : all) {
                assertThat(c.nodeHealth().isDown(primary)).isFalse();
                assertThat(c.nodeHealth().reports(primary).values()).hasSize(3)
                        .allSatisfy(r -> assertThat(r.reachable()).isTrue());
            }
        });
    }

    @Test
    void a_coordinator_cut_off_from_the_nodes_sees_them_down_but_nothing_is_down_while_the_others_reach_them()
            throws Exception {
        Map<String, TcpProxy> proxies = new HashMap<>();
        for (String node : List.of(primary, replica)) {
            int colon = node.lastIndexOf(':');
            proxies.put(node, coordinators.own(TcpProxy.to(node.substring(0, colon),
                    Integer.parseInt(node.substring(colon + 1)))));
        }
        List<Coordinator> all = startThree(c3 -> c3.nodeAddresses(node -> proxies.get(node).address()));
        Verdicts primaryVerdicts = new Verdicts(all, primary);
        Verdicts replicaVerdicts = new Verdicts(all, replica);

        // the proxies stop passing bytes, as a silent partition would: c3's probes go unanswered
        proxies.values().forEach(TcpProxy::stall);

        // c3's own reports say unreachable for well past down-after, and the others hear it
        long longDown = 3 * DOWN_AFTER.toMillis();
        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : all) {
                for (String node : List.of(primary, replica)) {
                    NodeReport fromC3 = c.nodeHealth().reports(node).get("c3");
                    assertThat(fromC3.reachable()).as("c3's report on %s, at %s", node, c.id()).isFalse();
                    assertThat(fromC3.downForMillis()).isGreaterThanOrEqualTo(DOWN_AFTER.toMillis());
                }
            }
            assertThat(all.get(2).nodeHealth().reports(primary).get("c3").downForMillis())
                    .isGreaterThanOrEqualTo(longDown);
        });
        for (Coordinator c : all) {
            for (String node : List.of(primary, replica)) {
                assertThat(c.nodeHealth().isDown(node)).as("%s at %s", node, c.id()).isFalse();
                assertThat(c.nodeHealth().reports(node).get("c1").reachable()).isTrue();
                assertThat(c.nodeHealth().reports(node).get("c2").reachable()).isTrue();
            }
        }
        assertThat(primaryVerdicts.down).as("coordinators that ever saw the primary down").isEmpty();
        assertThat(replicaVerdicts.down).as("coordinators that ever saw the replica down").isEmpty();

        proxies.values().forEach(TcpProxy::unstall);
        await().atMost(WAIT).untilAsserted(() -> assertThat(all.get(0).nodeHealth().reports(primary).get("c3")
                .reachable()).isTrue());
    }

    @Test
    void a_coordinator_left_alone_has_no_quorum_and_sees_nothing_down() throws Exception {
        List<Coordinator> all = startThree();
        Coordinator alone = all.get(0);
        Verdicts verdicts = new Verdicts(List.of(alone), primary);

        all.get(1).close();
        all.get(2).close();
        await().atMost(WAIT).until(() -> !alone.nodeHealth().hasQuorum());
        assertThat(status(alone).getQuorum()).isFalse();
        shard.primary().kill();

        await().atMost(WAIT).untilAsserted(() -> {
            NodeReport own = alone.nodeHealth().reports(primary).get("c1");
            assertThat(own.reachable()).isFalse();
            assertThat(own.downForMillis()).isGreaterThanOrEqualTo(3 * DOWN_AFTER.toMillis());
        });
        assertThat(alone.nodeHealth().reports(primary)).as("the others' reports are dropped")
                .containsOnlyKeys("c1");
        assertThat(alone.nodeHealth().isDown(primary)).isFalse();
        assertThat(verdicts.down).isEmpty();
    }

    @Test
    void a_coordinator_of_its_own_has_quorum_and_decides_alone() throws Exception {
        Coordinator solo = coordinators.start(coordinators.config("solo").downAfter(DOWN_AFTER));
        solo.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        AdminGrpc.newBlockingStub(coordinators.channel(solo)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .addShard(AddShardRequest.newBuilder().setId("s1").setPrimary(primary).addReplicas(replica).build());
        assertThat(solo.nodeHealth().hasQuorum()).isTrue();
        await().atMost(WAIT).until(() -> solo.nodeHealth().reports(primary).containsKey("solo"));

        shard.primary().kill();

        await().atMost(WAIT).until(() -> solo.nodeHealth().isDown(primary));
        assertThat(solo.nodeHealth().isDown(replica)).isFalse();
        assertThat(Set.copyOf(status(solo).getNodesList().stream().map(NodeHealth::getNode).toList()))
                .containsExactlyInAnyOrder(primary, replica);
    }

    StatusResponse status(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .status(StatusRequest.getDefaultInstance());
    }
}
