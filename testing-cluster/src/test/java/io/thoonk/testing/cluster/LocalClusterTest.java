package io.thoonk.testing.cluster;

import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

class LocalClusterTest {

    @Test
    void starts_with_one_leader_and_its_shards_registered_and_close_leaves_nothing_running() {
        LocalCluster cluster = LocalCluster.builder().namespace("local-cluster-test").coordinators(2).shards(2)
                .replicasPerShard(1).start();
        List<Path> zookeeperData = cluster.zookeeper().directories();
        List<RedisProcess> redis = cluster.shards().values().stream().flatMap(s -> s.processes().stream()).toList();
        List<Coordinator> coordinators = cluster.coordinators().all();
        List<Integer> grpcPorts = coordinators.stream().map(Coordinator::port).toList();
        List<Integer> clusterPorts = coordinators.stream()
                .map(c -> Integer.parseInt(c.clusterAddress().substring(c.clusterAddress().lastIndexOf(':') + 1)))
                .toList();
        try {
            assertThat(cluster.namespace()).isEqualTo("local-cluster-test");
            assertThat(coordinators).extracting(Coordinator::id).containsExactly("c1", "c2");
            assertThat(cluster.coordinator().id()).isEqualTo("c1");
            assertThat(coordinators.stream().filter(Coordinator::isLeader)).hasSize(1);
            assertThat(cluster.redisProcessCount()).isEqualTo(4);
            assertThat(cluster.shards()).containsOnlyKeys("shard-1", "shard-2");

            // one Hazelcast cluster of two: both have quorum, and each sees the four nodes as both see them
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                StatusResponse s = status(cluster);
                assertThat(s.getQuorum()).isTrue();
                assertThat(s.getNodesList()).hasSize(8).allSatisfy(n -> assertThat(n.getReachable()).isTrue());
            });
            assertThat(coordinators).allSatisfy(c -> assertThat(c.nodeHealth().hasQuorum()).isTrue());
            StatusResponse status = status(cluster);
            assertThat(status.getCoordinatorsList()).hasSize(2);
            assertThat(status.getShardsList()).extracting(Shard::getId).containsExactly("shard-1", "shard-2");
            for (Shard shard : status.getShardsList()) {
                RedisShard started = cluster.shard(shard.getId());
                assertThat(shard.getPrimary()).isEqualTo(started.primaryAddress());
                assertThat(shard.getReplicasList()).isEqualTo(started.replicaAddresses());
            }
        } finally {
            cluster.close();
        }
        assertThat(redis).noneMatch(RedisProcess::isAlive);
        assertThat(zookeeperData).allSatisfy(dir -> assertThat(dir).doesNotExist());
        grpcPorts.forEach(LocalClusterTest::assertRefused);
        clusterPorts.forEach(LocalClusterTest::assertRefused);
        cluster.close(); // idempotent
    }

    @Test
    void when_the_leader_stops_another_coordinator_takes_over() {
        try (LocalCluster cluster = LocalCluster.builder().coordinators(3).start()) {
            Coordinators coordinators = cluster.coordinators();
            Coordinator first = coordinators.leader();
            Coordinator follower = coordinators.follower();
            assertThat(follower).isNotSameAs(first);

            coordinators.stop(first);
            assertThat(coordinators.all()).hasSize(2).doesNotContain(first);
            Coordinator next = coordinators.leader();
            assertThat(next).isNotSameAs(first);
            assertThat(coordinators.addresses()).containsExactlyElementsOf(
                    coordinators.all().stream().map(Coordinator::address).toList());
        }
    }

    @Test
    void a_start_that_fails_stops_what_it_started_and_says_why() throws IOException {
        Set<Long> childrenBefore = liveChildProcesses();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("0.0.0.0", 0));
            FixtureException e = catchThrowableOfType(FixtureException.class, () -> LocalCluster.builder().shards(1)
                    .coordinatorPort(taken.getLocalPort()).start());
            assertThat(e).hasMessageContaining("cannot start coordinator c1")
                    .hasMessageContaining("gRPC port " + taken.getLocalPort());
            assertThat(causes(e)).anyMatch(c -> String.valueOf(c.getMessage()).contains("Address already in use"));
        }
        assertThat(liveChildProcesses()).as("redis-server processes still running").isSubsetOf(childrenBefore);
    }

    static StatusResponse status(LocalCluster cluster) {
        return AdminGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinator()))
                .withDeadlineAfter(10, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
    }

    static List<Throwable> causes(Throwable e) {
        return java.util.stream.Stream.iterate(e, t -> t != null, Throwable::getCause).toList();
    }

    static Set<Long> liveChildProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    static void assertRefused(int port) {
        assertThatExceptionOfType(IOException.class).as("nothing listens on port %d", port).isThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            }
        });
    }
}
