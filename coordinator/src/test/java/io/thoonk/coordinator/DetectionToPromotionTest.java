package io.thoonk.coordinator;

import io.grpc.stub.StreamObserver;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole automatic failover, from the fault to the directory naming the promoted replica, with
 * three coordinators' real detection (probes, shared reports, the verdict) and a shard of a primary
 * and a replica as real redis-server processes: a hung primary (SIGSTOP) is replaced about as soon
 * as a killed one, its first unanswered probe counting from when it was sent and the promotion
 * never waiting behind questions to the hung node. Each run logs its timeline (ms from the fault).
 * One more run does it on a shard whose nodes require a password, as deployments run them: every
 * probe, check and promotion step authenticates.
 */
class DetectionToPromotionTest {

    private static final Logger log = LoggerFactory.getLogger(DetectionToPromotionTest.class);

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    static final Duration DOWN_AFTER = Duration.ofMillis(500);
    /**
     * How much later than down-after after the fault the directory may name the new primary. The
     * expected delay: the first unanswered probe goes out up to one probe interval (100 ms) after a
     * SIGSTOP (a killed node's closed connection is probed at once), then the gossip and the
     * promotion (a few ms each). Measured on 2 shared cores: see the log lines of this test.
     */
    static final Duration BOUND = Duration.ofMillis(350);
    /** From the leader's verdict to the intent written: a few ms (measured 5-25), generous for a loaded machine. */
    static final Duration DECISION_BOUND = Duration.ofMillis(150);
    static final Duration WAIT = Duration.ofSeconds(15);
    static final int RUNS = 3;

    enum Fault { KILL, SIGSTOP }

    /** Whether the shard's nodes require a password ({@code requirepass}) and the coordinators have it. */
    enum Auth {
        NONE, PASSWORD;

        static final String SECRET = "detection-pw";

        RedisShard startShard() {
            return RedisShard.start(1, this == PASSWORD ? SECRET : null);
        }

        CoordinatorConfig.Builder apply(CoordinatorConfig.Builder config) {
            return this == PASSWORD ? config.redisCredentials(RedisCredentials.password(SECRET.toCharArray())) : config;
        }
    }

    static Stream<Arguments> runs() {
        return Stream.concat(Stream.of(Fault.values()).flatMap(f -> IntStream.rangeClosed(1, RUNS)
                        .mapToObj(n -> Arguments.of(f, n, Auth.NONE))),
                Stream.of(Arguments.of(Fault.KILL, 1, Auth.PASSWORD)));
    }

    /** What happened when, in nanoTime, keyed by a label. */
    static final class Timeline {
        final Map<String, Long> at = new ConcurrentHashMap<>();

        void mark(String what) {
            at.putIfAbsent(what, System.nanoTime());
        }

        Map<String, Long> since(long start) {
            Map<String, Long> out = new TreeMap<>();
            at.forEach((what, t) -> out.put(what, (t - start) / 1_000_000));
            return out;
        }
    }

    @ParameterizedTest(name = "{0} #{1}, auth {2}")
    @MethodSource("runs")
    void a_failed_primary_is_replaced_within_down_after_and_a_bound(Fault fault, int run, Auth auth) throws Exception {
        RedisShard redis = coordinators.own(auth.startShard());
        RedisProcess primary = redis.primary();
        String replica = redis.replicaAddresses().get(0);
        Timeline timeline = new Timeline();
        Promoter.PhaseHook hook = (phase, intent) -> timeline.mark(phase.name().toLowerCase());
        List<Coordinator> all = new ArrayList<>();
        for (String id : List.of("c1", "c2", "c3")) {
            CoordinatorConfig.Builder config = auth.apply(coordinators.config(id).clusterSize(3).downAfter(DOWN_AFTER));
            all.add(coordinators.start(config, hook));
        }
        Coordinator leader = Coordinator.awaitLeader(all, LocalCoordinators.LEADERSHIP_TIMEOUT);
        AdminGrpc.newBlockingStub(coordinators.channel(leader)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .addShard(AddShardRequest.newBuilder().setId("s1").setPrimary(primary.address()).addReplicas(replica)
                        .build());
        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : all) {
                assertThat(c.nodeHealth().hasQuorum()).isTrue();
                for (String node : List.of(primary.address(), replica)) {
                    assertThat(c.nodeHealth().reports(node)).containsOnlyKeys("c1", "c2", "c3")
                            .allSatisfy((by, r) -> assertThat(r.reachable()).isTrue());
                }
            }
            assertThat(primary.call("CONFIG GET min-replicas-to-write").split("\n")[1]).isEqualTo("1");
        });
        for (Coordinator c : all) {
            record(timeline, c, primary.address());
        }
        watchEpochs(leader, timeline);

        long start = System.nanoTime();
        if (fault == Fault.KILL) {
            primary.kill();
        } else {
            primary.pause();
        }
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> timeline.at.containsKey("published"));
        } finally {
            if (fault == Fault.SIGSTOP) {
                primary.resume();
            }
        }
        Map<String, Long> ms = timeline.since(start);
        log.info("{} #{}, auth {} (down-after {} ms, leader {}): ms from the fault {}", fault, run, auth,
                DOWN_AFTER.toMillis(), leader.id(), ms);
        assertThat(ms.get("published")).as("fault to the directory naming the new primary, ms")
                .isLessThanOrEqualTo(DOWN_AFTER.plus(BOUND).toMillis());
        long verdict = ms.get(leader.id() + " down");
        assertThat(verdict).as("the leader's verdict only after down-after").isGreaterThanOrEqualTo(DOWN_AFTER.toMillis());
        assertThat(ms.get("decided") - verdict).as("the leader's verdict to the intent written, ms")
                .isLessThanOrEqualTo(DECISION_BOUND.toMillis());
    }

    /** Marks when {@code c} first sees its own probe fail, its own report reach down-after, the verdict. */
    static void record(Timeline timeline, Coordinator c, String node) {
        NodeHealthView health = c.nodeHealth();
        health.addListener(changed -> {
            if (!changed.equals(node)) {
                return;
            }
            health.reports(node).forEach((by, r) -> {
                if (!r.reachable()) {
                    timeline.mark(c.id() + " hears " + by + " unreachable");
                }
                if (downFor(r) >= DOWN_AFTER.toMillis()) {
                    timeline.mark(c.id() + " hears " + by + " down-after");
                }
            });
            if (health.isDown(node)) {
                timeline.mark(c.id() + " down");
            }
        });
    }

    static long downFor(NodeReport r) {
        return r.reachable() ? 0 : r.downForMillis();
    }

    /** Marks when the leader's Watch pushes the shard at epoch 2. */
    static void watchEpochs(Coordinator leader, Timeline timeline) {
        DirectoryGrpc.newStub(coordinators.channel(leader)).watch(WatchRequest.newBuilder().build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse value) {
                        if (value.getChange().hasShard() && value.getChange().getShard().getEpoch() == 2) {
                            timeline.mark("published");
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }
}
