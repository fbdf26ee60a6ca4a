package io.thoonk.coordinator;

import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Automatic promotion on real coordinators, ZooKeeper and redis-server processes, with the
 * failure verdict injected ({@link TestNodeHealth}): the best replica is promoted and published,
 * a shard with no replica to promote is FAILED, a returning old primary is made a replica, the
 * replication settings follow the live replicas, a leader stopped in the middle of a
 * promotion is replaced by one that finishes it, and a draining shard stays draining through a
 * promotion and through FAILED and back.
 */
class FailoverTest {

    private static final Logger log = LoggerFactory.getLogger(FailoverTest.class);
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** From the verdict to the intent written: a few ms (measured 5-20), generous for a loaded machine. */
    private static final Duration DECISION_BOUND = Duration.ofMillis(150);

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    final TestNodeHealth health = new TestNodeHealth();

    Coordinator start(String id, Promoter.PhaseHook hook) throws Exception {
        coordinators.own(health);
        return coordinators.own(Coordinator.start(coordinators.config(id).build(), health, hook));
    }

    Coordinator leader(String id) throws Exception {
        Coordinator c = start(id, Promoter.PhaseHook.NONE);
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        return c;
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    Shard addShard(Coordinator c, String id, RedisShard shard) {
        return admin(c).addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress())
                .addAllReplicas(shard.replicaAddresses()).build()).getShard();
    }

    static Shard shard(Coordinator c, String id) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listShards(ListShardsRequest.getDefaultInstance()).getShardsList().stream()
                .filter(s -> s.getId().equals(id)).findFirst().orElseThrow();
    }

    static String role(RedisProcess node) {
        return node.call("ROLE");
    }

    /** True when {@code replica} follows {@code primary} with its link up. */
    static boolean follows(RedisProcess replica, RedisProcess primary) {
        String info = replica.call("INFO replication");
        return info.contains("master_port:" + primary.port()) && info.contains("master_link_status:up");
    }

    static String minReplicasToWrite(RedisProcess node) {
        return node.call("CONFIG GET min-replicas-to-write").split("\n")[1];
    }

    /** Collects every change of a Watch opened on {@code c} from now on. */
    BlockingQueue<WatchResponse> watch(Coordinator c) {
        BlockingQueue<WatchResponse> changes = new LinkedBlockingQueue<>();
        DirectoryGrpc.newStub(coordinators.channel(c)).watch(WatchRequest.newBuilder().build(),
                new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse value) {
                        changes.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        return changes;
    }

    /** Drains {@code shardId} (it owns no team: the drain ends at once) and returns its last progress. */
    DrainProgress drain(Coordinator c, String shardId) {
        List<DrainProgress> progress = new ArrayList<>();
        admin(c).drainShard(DrainShardRequest.newBuilder().setShardId(shardId).build()).forEachRemaining(progress::add);
        return progress.get(progress.size() - 1);
    }

    static String resolve(Coordinator c, String team) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam(team).build()).getPlacement().getShardId();
    }

    /**
     * The draining shard takes nothing new: fresh teams go to the other shard (which an empty
     * draining shard would win on the tie by id), and placing one on it by hand is refused.
     */
    void assertTakesNoNewTeam(Coordinator c, String draining, String other, String prefix) {
        for (int i = 0; i < 3; i++) {
            assertThat(resolve(c, prefix + i)).as("new team %s%d", prefix, i).isEqualTo(other);
        }
        assertThatThrownBy(() -> admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(prefix + "-pinned")
                .setShardId(draining).build())).hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("shard '" + draining + "' is draining and takes no new teams");
    }

    @Test
    void killing_the_primary_promotes_the_replica_with_the_highest_offset_and_the_other_follows_it()
            throws Exception {
        Coordinator c = leader("c1");
        RedisShard redis = coordinators.own(RedisShard.start(2));
        RedisProcess primary = redis.primary();
        RedisProcess ahead = redis.replicas().get(1);
        RedisProcess behind = redis.replicas().get(0);
        addShard(c, "s1", redis);
        await().atMost(WAIT).until(() -> primary.call("INFO replication").split("state=online").length == 3);
        BlockingQueue<WatchResponse> changes = watch(c);
        // cut the link of 'behind' while it is stopped, so it misses the writes that follow
        String link = behind.call("CLIENT LIST TYPE master");
        String localAddress = link.substring(link.indexOf("laddr=") + 6).split(" ")[0];
        behind.pause();
        primary.call("CLIENT KILL ADDR " + localAddress);
        for (int i = 0; i < 100; i++) {
            primary.call("SET k" + i + " v" + i);
        }
        await().atMost(WAIT).until(() -> "v99".equals(ahead.call("GET k99")));
        primary.kill();
        behind.resume();

        long markedDown = System.nanoTime();
        health.markDown(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "s1").getEpoch() == 2);
        long publishedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - markedDown);

        Shard s1 = shard(c, "s1");
        assertThat(s1.getPrimary()).isEqualTo(ahead.address());
        assertThat(s1.getReplicasList()).containsExactly(behind.address(), primary.address());
        assertThat(role(ahead)).startsWith("master");
        await().atMost(WAIT).until(() -> follows(behind, ahead));
        await().atMost(WAIT).until(() -> "v99".equals(behind.call("GET k99")));
        await().atMost(WAIT).until(() -> shard(c, "s1").getState() == ShardState.SHARD_ACTIVE);
        await().atMost(WAIT).until(() -> minReplicasToWrite(ahead).equals("1"));

        WatchResponse pushed = changes.poll(10, TimeUnit.SECONDS);
        while (pushed != null && !(pushed.getChange().hasShard() && pushed.getChange().getShard().getEpoch() == 2)) {
            pushed = changes.poll(10, TimeUnit.SECONDS);
        }
        assertThat(pushed).as("Watch pushed the new shard record").isNotNull();
        assertThat(pushed.getChange().getShard().getPrimary()).isEqualTo(ahead.address());

        FailoverRecord record = admin(c).status(StatusRequest.getDefaultInstance()).getRecentFailovers(0);
        assertThat(record.getKind()).isEqualTo(FailoverKind.FAILOVER_AUTOMATIC);
        assertThat(record.getShardId()).isEqualTo("s1");
        assertThat(record.getOldPrimary()).isEqualTo(primary.address());
        assertThat(record.getNewPrimary()).isEqualTo(ahead.address());
        assertThat(record.getEpoch()).isEqualTo(2);
        assertThat(record.getOutcome()).isEqualTo("promoted");
        assertThat(record.getCoordinatorId()).isEqualTo("c1");
        assertThat(record.getDecidedMillis()).isGreaterThanOrEqualTo(record.getDetectedMillis());
        assertThat(record.getPromotedMillis()).isGreaterThanOrEqualTo(record.getDecidedMillis());
        assertThat(record.getPublishedMillis()).isGreaterThanOrEqualTo(record.getPromotedMillis());
        log.info("promotion: marked down -> directory read back through gRPC {} ms; record {}", publishedMillis, record);
        assertThat(publishedMillis).as("verdict to directory").isLessThan(1000);
    }

    /**
     * A hung node (SIGSTOP: questions to it wait out the node timeout) in one shard must not delay
     * the promotions of the others: the leader acts on each verdict at once. Each verdict comes
     * right after the previous promotion was published, when the leader's upkeep is asking the hung
     * node (it did so after each promotion, and a round waiting for those answers took the 300 ms
     * node timeout before a verdict was acted on).
     */
    @Test
    void a_hung_node_delays_no_promotion() throws Exception {
        Map<String, Long> decided = new ConcurrentHashMap<>();
        Coordinator c = start("c1", (phase, intent) -> {
            if (phase == Promoter.Phase.DECIDED) {
                decided.putIfAbsent(intent.getShardId(), System.nanoTime());
            }
        });
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        RedisShard stuck = coordinators.own(RedisShard.start(1));
        addShard(c, "stuck", stuck);
        List<RedisShard> shards = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RedisShard redis = coordinators.own(RedisShard.start(1));
            addShard(c, "s" + i, redis);
            shards.add(redis);
        }
        RedisProcess hung = stuck.replicas().get(0);
        hung.pause();
        try {
            List<Long> delays = new ArrayList<>();
            for (int i = 0; i < shards.size(); i++) {
                String id = "s" + i;
                RedisProcess primary = shards.get(i).primary();
                primary.kill();
                long verdict = System.nanoTime();
                health.markDown(primary.address());
                await().atMost(WAIT).pollInterval(Duration.ofMillis(5)).until(() -> shard(c, id).getEpoch() == 2);
                delays.add(TimeUnit.NANOSECONDS.toMillis(decided.get(id) - verdict));
            }
            log.info("with a hung node in another shard, verdict -> decided, ms: {}", delays);
            assertThat(delays).as("verdict -> intent written, ms, each shard").allSatisfy(ms ->
                    assertThat(ms).isLessThanOrEqualTo(DECISION_BOUND.toMillis()));
        } finally {
            hung.resume();
        }
    }

    @Test
    void with_no_replica_to_promote_the_shard_is_failed_with_the_reason_and_active_again_once_its_nodes_return()
            throws Exception {
        Coordinator c = leader("c1");
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess primary = redis.primary();
        RedisProcess replica = redis.replicas().get(0);
        addShard(c, "s1", redis);
        // set at registration when the primary already counts its replica online, else by the next
        // upkeep round (a loaded machine can delay the replica's first acknowledgement)
        await().atMost(WAIT).until(() -> minReplicasToWrite(primary).equals("1"));
        assertThat(primary.call("CONFIG GET min-replicas-max-lag").split("\n")[1]).isEqualTo("2");

        replica.kill();
        primary.kill();
        health.markDown(primary.address());

        await().atMost(WAIT).until(() -> shard(c, "s1").getState() == ShardState.SHARD_FAILED);
        Shard failed = shard(c, "s1");
        assertThat(failed.getPrimary()).isEqualTo(primary.address());
        assertThat(failed.getEpoch()).isEqualTo(1);
        assertThat(failed.getStateReason()).startsWith("primary " + primary.address() + " down since ")
                .contains("no replica to promote: " + replica.address() + " unreachable");
        FailoverRecord record = admin(c).status(StatusRequest.getDefaultInstance()).getRecentFailovers(0);
        assertThat(record.getNewPrimary()).isEmpty();
        assertThat(record.getOutcome()).startsWith("not promoted: " + replica.address() + " unreachable");

        primary.restart();
        health.markUp(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "s1").getState() == ShardState.SHARD_DEGRADED);
        assertThat(shard(c, "s1").getStateReason()).startsWith("no live replica since ")
                .contains(replica.address() + " unreachable");
        await().atMost(WAIT).until(() -> minReplicasToWrite(primary).equals("0"));

        replica.restart();
        await().atMost(WAIT).until(() -> shard(c, "s1").getState() == ShardState.SHARD_ACTIVE);
        assertThat(shard(c, "s1").getStateReason()).isEmpty();
        await().atMost(WAIT).until(() -> minReplicasToWrite(primary).equals("1"));
    }

    @Test
    void a_returning_old_primary_becomes_a_replica_and_min_replicas_follows_the_live_replicas() throws Exception {
        Coordinator c = leader("c1");
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess primary = redis.primary();
        RedisProcess replica = redis.replicas().get(0);
        addShard(c, "s1", redis);
        primary.call("SET before failover");
        await().atMost(WAIT).until(() -> "failover".equals(replica.call("GET before")));

        primary.kill();
        health.markDown(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "s1").getEpoch() == 2);
        Shard promoted = shard(c, "s1");
        assertThat(promoted.getPrimary()).isEqualTo(replica.address());
        assertThat(promoted.getState()).isEqualTo(ShardState.SHARD_DEGRADED);
        assertThat(promoted.getStateReason()).startsWith("no live replica since");
        assertThat(minReplicasToWrite(replica)).as("a primary with no live replica stays writable").isEqualTo("0");
        replica.call("SET after failover");

        primary.restart();
        health.markUp(primary.address());
        await().atMost(WAIT).until(() -> follows(primary, replica));
        assertThat(role(primary)).startsWith("slave");
        await().atMost(WAIT).until(() -> "failover".equals(primary.call("GET after")));
        await().atMost(WAIT).until(() -> shard(c, "s1").getState() == ShardState.SHARD_ACTIVE);
        await().atMost(WAIT).until(() -> minReplicasToWrite(replica).equals("1"));
        assertThat(shard(c, "s1").getEpoch()).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Promoter.Phase.class)
    void a_leader_stopped_in_the_middle_of_a_promotion_is_replaced_by_one_that_finishes_it(Promoter.Phase phase)
            throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        AtomicReference<FailoverRecord> intent = new AtomicReference<>();
        Coordinator first = start("c1", (p, i) -> {
            if (p == phase) {
                intent.set(i);
                reached.countDown();
                new CountDownLatch(1).await(); // until the coordinator closes and interrupts it
            }
        });
        first.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        Coordinator second = start("c2", Promoter.PhaseHook.NONE);
        RedisShard redis = coordinators.own(RedisShard.start(2));
        RedisProcess primary = redis.primary();
        addShard(first, "s1", redis);

        primary.kill();
        health.markDown(primary.address());
        assertThat(reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the leader reached " + phase).isTrue();
        String chosen = intent.get().getNewPrimary();
        first.close();
        second.awaitLeadership(Duration.ofSeconds(30));

        await().atMost(WAIT).until(() -> shard(second, "s1").getEpoch() == 2);
        Shard s1 = shard(second, "s1");
        assertThat(s1.getPrimary()).isEqualTo(chosen);
        RedisProcess newPrimary = redis.replicas().stream().filter(r -> r.address().equals(chosen)).findFirst()
                .orElseThrow();
        RedisProcess other = redis.replicas().stream().filter(r -> r != newPrimary).findFirst().orElseThrow();
        assertThat(role(newPrimary)).startsWith("master");
        await().atMost(WAIT).until(() -> follows(other, newPrimary));
        assertThat(role(other)).as("exactly one primary").startsWith("slave");

        FailoverRecord record = admin(second).status(StatusRequest.getDefaultInstance()).getRecentFailovers(0);
        assertThat(record.getOutcome()).isEqualTo("promoted");
        assertThat(record.getCoordinatorId()).isEqualTo("c2");
        assertThat(record.getNewPrimary()).isEqualTo(chosen);
        try (CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(coordinators.zookeeper())
                .namespace(coordinators.namespace()).retryPolicy(new RetryOneTime(100)).build()) {
            zk.start();
            assertThat(zk.blockUntilConnected(10, TimeUnit.SECONDS)).isTrue();
            assertThat(zk.getChildren().forPath("/failovers/intents")).as("no unfinished failover left").isEmpty();
        }
    }

    @Test
    void a_follower_lists_the_failover_records() throws Exception {
        Coordinator c = leader("c1");
        Coordinator follower = start("c2", Promoter.PhaseHook.NONE);
        RedisShard redis = coordinators.own(RedisShard.start(1));
        addShard(c, "s1", redis);
        redis.primary().kill();
        health.markDown(redis.primary().address());
        await().atMost(WAIT).until(() -> shard(c, "s1").getEpoch() == 2);

        await().atMost(WAIT).until(() -> admin(follower).status(StatusRequest.getDefaultInstance())
                .getRecentFailoversCount() == 1);
        List<FailoverRecord> records = admin(follower).status(StatusRequest.getDefaultInstance())
                .getRecentFailoversList();
        assertThat(records.get(0).getNewPrimary()).isEqualTo(redis.replicas().get(0).address());
    }

    @Test
    void a_draining_shard_whose_primary_is_killed_is_still_draining_once_its_replica_is_promoted() throws Exception {
        Coordinator c = leader("c1");
        RedisShard redis = coordinators.own(RedisShard.start(2));
        RedisProcess primary = redis.primary();
        addShard(c, "a", redis);
        addShard(c, "b", coordinators.own(RedisShard.start(0)));
        await().atMost(WAIT).until(() -> primary.call("INFO replication").split("state=online").length == 3);
        assertThat(drain(c, "a").getOutcome()).startsWith("drained: 0 team(s) moved");
        assertThat(shard(c, "a").getState()).isEqualTo(ShardState.SHARD_DRAINING);

        primary.kill();
        health.markDown(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "a").getEpoch() == 2);
        // both replicas answer: one is promoted and the other follows it (ACTIVE nodes), and the
        // upkeep after it keeps the mark as well
        await().atMost(WAIT).until(() -> redis.replicas().stream().anyMatch(r -> role(r).startsWith("master"))
                && minReplicasToWrite(FailoverTest.node(redis, shard(c, "a").getPrimary())).equals("1"));

        Shard promoted = shard(c, "a");
        assertThat(promoted.getPrimary()).isNotEqualTo(primary.address());
        assertThat(promoted.getDraining()).as("draining mark of %s", promoted).isTrue();
        assertThat(promoted.getState()).isEqualTo(ShardState.SHARD_DRAINING);
        assertTakesNoNewTeam(c, "a", "b", "after-promotion");
    }

    @Test
    void a_draining_shard_that_fails_with_no_replica_to_promote_is_draining_again_once_its_nodes_return()
            throws Exception {
        Coordinator c = leader("c1");
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess primary = redis.primary();
        RedisProcess replica = redis.replicas().get(0);
        addShard(c, "a", redis);
        addShard(c, "b", coordinators.own(RedisShard.start(0)));
        assertThat(drain(c, "a").getOutcome()).startsWith("drained: 0 team(s) moved");

        replica.kill();
        primary.kill();
        health.markDown(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "a").getState() == ShardState.SHARD_FAILED);
        assertThat(shard(c, "a").getDraining()).as("draining while FAILED").isTrue();
        assertTakesNoNewTeam(c, "a", "b", "while-failed");

        primary.restart();
        health.markUp(primary.address());
        await().atMost(WAIT).until(() -> shard(c, "a").getState() == ShardState.SHARD_DEGRADED);
        assertThat(shard(c, "a").getDraining()).as("draining while DEGRADED").isTrue();
        assertThat(shard(c, "a").getStateReason()).startsWith("no live replica since ");
        assertTakesNoNewTeam(c, "a", "b", "while-degraded");

        replica.restart();
        await().atMost(WAIT).until(() -> shard(c, "a").getState() == ShardState.SHARD_DRAINING);
        assertThat(shard(c, "a").getDraining()).isTrue();
        assertTakesNoNewTeam(c, "a", "b", "back");
    }

    static RedisProcess node(RedisShard redis, String address) {
        return redis.processes().stream().filter(p -> p.address().equals(address)).findFirst().orElseThrow();
    }
}
