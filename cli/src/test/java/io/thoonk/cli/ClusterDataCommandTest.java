package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.ZooKeeperExtension;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Data subcommands with {@code --coordinator}: each object goes to its team's shard. */
class ClusterDataCommandTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static RedisProcess first;
    static RedisProcess second;
    static Coordinator coordinator;

    @BeforeAll
    static void start() throws Exception {
        first = RedisProcess.start();
        second = RedisProcess.start();
        coordinator = Coordinator.start(CoordinatorConfig.builder(zookeeper.connectString()).id("c1")
                .namespace("cli-cluster-test").grpcPort(0).build());
        await().atMost(Duration.ofSeconds(15)).until(coordinator::isLeader);
        ManagedChannel channel = Grpc.newChannelBuilder(coordinator.address(), InsecureChannelCredentials.create()).build();
        try {
            AdminGrpc.newBlockingStub(channel).addShard(AddShardRequest.newBuilder().setId("one")
                    .setPrimary("127.0.0.1:" + first.port()).build());
            AdminGrpc.newBlockingStub(channel).addShard(AddShardRequest.newBuilder().setId("two")
                    .setPrimary("127.0.0.1:" + second.port()).build());
        } finally {
            channel.shutdownNow();
        }
    }

    @AfterAll
    static void stop() {
        coordinator.close();
        first.close();
        second.close();
    }

    @Test
    void publish_and_read_through_the_cluster_land_on_the_teams_shard() {
        for (String team : List.of("1", "2", "3", "4")) {
            Result published = CliRunner.runExactly("feed", "publish", "team:" + team + ":news", "hello " + team,
                    "--id", "greeting", "--coordinator", coordinator.address());
            assertThat(published.exitCode()).as(published.toString()).isZero();
            Result all = CliRunner.runExactly("feed", "all", "team:" + team + ":news", "--coordinator",
                    coordinator.address());
            assertThat(all.out()).contains("hello " + team);
        }
        int onFirst = 0;
        int onSecond = 0;
        for (String team : List.of("1", "2", "3", "4")) {
            String a = first.call("HGET feed.items:team:" + team + ":news greeting");
            String b = second.call("HGET feed.items:team:" + team + ":news greeting");
            assertThat(a == null ^ b == null).as("team " + team + " on exactly one shard").isTrue();
            onFirst += a == null ? 0 : 1;
            onSecond += b == null ? 0 : 1;
        }
        assertThat(onFirst).isEqualTo(2);
        assertThat(onSecond).isEqualTo(2);
    }

    @Test
    void both_redis_and_coordinator_is_a_usage_error() {
        Result r = CliRunner.runExactly("feed", "ids", "team:1:news", "--redis", first.uri(), "--coordinator",
                coordinator.address());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("either --redis or --coordinator");
    }
}
