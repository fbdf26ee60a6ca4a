package io.thoonk.coordinator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.FailoverRequest;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code Admin.Failover}, the planned switchover, on real coordinators, ZooKeeper and redis-server
 * processes: no acknowledged write is lost and writes pause briefly; bad requests get specific
 * errors and change nothing.
 */
class SwitchoverTest {

    private static final Logger log = LoggerFactory.getLogger(SwitchoverTest.class);
    private static final Duration WAIT = Duration.ofSeconds(15);

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    Shard addShard(Coordinator c, String id, RedisShard shard) {
        Shard added = admin(c).addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress())
                .addAllReplicas(shard.replicaAddresses()).build()).getShard();
        awaitOnline(shard.primary(), shard.replicas().size());
        return added;
    }

    static void awaitOnline(RedisProcess primary, int replicas) {
        await().atMost(WAIT).until(() -> primary.call("INFO replication").split("state=online").length == replicas + 1);
    }

    static Shard shard(Coordinator c, String id) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listShards(ListShardsRequest.getDefaultInstance()).getShardsList().stream()
                .filter(s -> s.getId().equals(id)).findFirst().orElseThrow();
    }

    static FailoverRequest.Builder failover(String shard) {
        return FailoverRequest.newBuilder().setShardId(shard);
    }

    /**
     * Appends 0, 1, 2, ... to a list on the shard's primary as the directory names it; a write
     * refused because the node is no longer primary (READONLY) or lacks a replica (NOREPLICAS) was
     * not applied, so it is sent again, to the primary the directory names then.
     */
    static final class Writer implements AutoCloseable {
        final List<Long> ackedAtNanos = new CopyOnWriteArrayList<>();
        final AtomicBoolean running = new AtomicBoolean(true);
        final RedisClient client = RedisClient.create();
        final Coordinator coordinator;
        final Thread thread;
        volatile Throwable failure;

        Writer(Coordinator coordinator) {
            this.coordinator = coordinator;
            this.thread = new Thread(this::run, "test-writer");
            thread.start();
        }

        private void run() {
            try {
                String primary = null;
                StatefulRedisConnection<String, String> connection = null;
                long next = 0;
                while (running.get()) {
                    String named = shard(coordinator, "s1").getPrimary();
                    if (!named.equals(primary)) {
                        if (connection != null) {
                            connection.close();
                        }
                        primary = named;
                        int colon = named.lastIndexOf(':');
                        connection = client.connect(RedisURI.create(named.substring(0, colon),
                                Integer.parseInt(named.substring(colon + 1))));
                    }
                    try {
                        while (running.get()) {
                            connection.sync().rpush("written", Long.toString(next));
                            ackedAtNanos.add(System.nanoTime());
                            next++;
                        }
                    } catch (RedisCommandExecutionException refused) {
                        if (!refused.getMessage().startsWith("READONLY")
                                && !refused.getMessage().startsWith("NOREPLICAS")) {
                            throw refused;
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // then ask the directory again
                    }
                }
                if (connection != null) {
                    connection.close();
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        int acked() {
            return ackedAtNanos.size();
        }

        /** The longest time between two acknowledgements, in ms. */
        long longestGapMillis() {
            long gap = 0;
            for (int i = 1; i < ackedAtNanos.size(); i++) {
                gap = Math.max(gap, ackedAtNanos.get(i) - ackedAtNanos.get(i - 1));
            }
            return TimeUnit.NANOSECONDS.toMillis(gap);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(TimeUnit.SECONDS.toMillis(20));
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void a_switchover_under_writes_loses_no_acknowledged_write_and_pauses_writes_briefly() throws Exception {
        Coordinator leader = coordinators.startLeader(coordinators.config("c1"));
        Coordinator follower = coordinators.start("c2");
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess first = redis.primary();
        RedisProcess second = redis.replicas().get(0);
        addShard(leader, "s1", redis);

        Writer writer = new Writer(leader);
        FailoverResponse there;
        FailoverResponse back;
        try {
            await().atMost(WAIT).until(() -> writer.acked() >= 300 || writer.failure != null);
            there = admin(follower).failover(failover("s1").setTimeoutMillis(1000).build());
            int ackedThen = writer.acked();
            await().atMost(WAIT).until(() -> writer.acked() >= ackedThen + 300 || writer.failure != null);
            awaitOnline(second, 1);
            back = admin(leader).failover(failover("s1").setTo(first.address()).build());
            int ackedBack = writer.acked();
            await().atMost(WAIT).until(() -> writer.acked() >= ackedBack + 300 || writer.failure != null);
        } finally {
            writer.close();
        }
        assertThat(writer.failure).isNull();

        assertThat(there.getShard().getPrimary()).isEqualTo(second.address());
        assertThat(there.getShard().getEpoch()).isEqualTo(2);
        assertThat(there.getShard().getReplicasList()).containsExactly(first.address());
        assertThat(there.getFailover().getKind()).isEqualTo(FailoverKind.FAILOVER_PLANNED);
        assertThat(there.getFailover().getOutcome()).isEqualTo("promoted");
        assertThat(back.getShard().getPrimary()).isEqualTo(first.address());
        assertThat(back.getShard().getEpoch()).isEqualTo(3);
        assertThat(first.call("ROLE")).startsWith("master");
        await().atMost(WAIT).until(() -> second.call("INFO replication").contains("master_port:" + first.port()));

        List<String> written = List.of(first.call("LRANGE written 0 -1").split("\n"));
        Set<String> distinct = new HashSet<>(written);
        assertThat(distinct).as("no write applied twice").hasSize(written.size());
        assertThat(written).as("every acknowledged write").hasSize(writer.acked());
        for (int i = 0; i < writer.acked(); i++) {
            assertThat(written.get(i)).isEqualTo(Integer.toString(i));
        }
        log.info("switchovers: {} writes, longest pause between two acknowledgements {} ms; records {} / {}",
                writer.acked(), writer.longestGapMillis(), there.getFailover(), back.getFailover());
        assertThat(writer.longestGapMillis()).as("write pause (tens of ms on a quiet machine)").isLessThan(1_000);

        List<FailoverRecord> records = admin(follower).status(StatusRequest.getDefaultInstance())
                .getRecentFailoversList();
        assertThat(records).extracting(FailoverRecord::getNewPrimary).as("newest first")
                .containsExactly(first.address(), second.address());
    }

    @Test
    void a_replica_that_does_not_catch_up_in_time_leaves_the_primary_in_place() throws Exception {
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess primary = redis.primary();
        RedisProcess replica = redis.replicas().get(0);
        Coordinator c = coordinators.own(Coordinator.start(coordinators.config("c1").build(), null,
                (phase, intent) -> {
                    if (phase == Promoter.Phase.DECIDED) {
                        replica.pause();
                        primary.call("SET late write");
                    }
                }));
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        addShard(c, "s1", redis);

        try {
            assertThatThrownBy(() -> admin(c).failover(failover("s1").setTimeoutMillis(300).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                        assertThat(e.getStatus().getDescription()).startsWith("replica " + replica.address()
                                + " of shard 's1' did not catch up with " + primary.address() + " within 300 ms")
                                .endsWith(primary.address() + " stays primary: retry, or with a longer timeout");
                    });
        } finally {
            replica.resume();
        }
        assertThat(shard(c, "s1").getEpoch()).isEqualTo(1);
        assertThat(shard(c, "s1").getPrimary()).isEqualTo(primary.address());
        assertThat(primary.call("ROLE")).startsWith("master");
        assertThat(primary.call("SET after pause")).as("the write pause ended").isEqualTo("OK");
        FailoverRecord record = admin(c).status(StatusRequest.getDefaultInstance()).getRecentFailovers(0);
        assertThat(record.getOutcome()).startsWith("abandoned: replica " + replica.address()
                + " did not catch up within 300 ms");
    }

    @Test
    void bad_requests_get_specific_errors_and_change_nothing() throws Exception {
        Coordinator c = coordinators.startLeader(coordinators.config("c1"));
        RedisShard redis = coordinators.own(RedisShard.start(1));
        RedisProcess solo = coordinators.own(RedisProcess.start());
        addShard(c, "s1", redis);
        admin(c).addShard(AddShardRequest.newBuilder().setId("solo").setPrimary(solo.address()).build());
        String replica = redis.replicaAddresses().get(0);

        assertRefused(c, failover("nope"), Status.Code.NOT_FOUND, "no shard 'nope'; see ListShards");
        assertRefused(c, failover("bad id!"), Status.Code.INVALID_ARGUMENT,
                "shard id 'bad id!' must be 1 to 64 letters, digits, '.', '_' or '-'");
        assertRefused(c, failover("s1").setTo("127.0.0.1:1"), Status.Code.NOT_FOUND,
                "shard 's1' has no replica 127.0.0.1:1; its replicas are " + replica);
        assertRefused(c, failover("s1").setTo("nohost"), Status.Code.INVALID_ARGUMENT,
                "replica address 'nohost' is not host:port");
        assertRefused(c, failover("s1").setTimeoutMillis(60_000), Status.Code.INVALID_ARGUMENT,
                "timeout must be 1 to 5000 ms (the longest write pause allowed), was 60000 ms");
        assertRefused(c, failover("s1").setTimeoutMillis(-1), Status.Code.INVALID_ARGUMENT,
                "timeout_millis must be >= 0 (0: 1000 ms), was -1");
        assertRefused(c, failover("solo"), Status.Code.FAILED_PRECONDITION,
                "shard 'solo' has no replica to hand over to; register the shard again with a replica");
        redis.replicas().get(0).kill();
        StatusRuntimeException notInSync = assertRefused(c, failover("s1"), Status.Code.FAILED_PRECONDITION,
                "shard 's1' cannot switch over from " + redis.primaryAddress() + ": no replica is in sync with it: "
                        + replica + " is unreachable (");

        assertThat(shard(c, "s1").getEpoch()).isEqualTo(1);
        assertThat(shard(c, "solo").getEpoch()).isEqualTo(1);
        assertThat(admin(c).status(StatusRequest.getDefaultInstance()).getRecentFailoversList()).isEmpty();
        log.info("refused: {}", notInSync.getStatus().getDescription());
    }

    StatusRuntimeException assertRefused(Coordinator c, FailoverRequest.Builder request, Status.Code code,
                                         String descriptionStart) {
        try {
            admin(c).failover(request.build());
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
            assertThat(e.getStatus().getDescription()).startsWith(descriptionStart);
            return e;
        }
        throw new AssertionError("failover of " + request.getShardId() + " was not refused");
    }
}
