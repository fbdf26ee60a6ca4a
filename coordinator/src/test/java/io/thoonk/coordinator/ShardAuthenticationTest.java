package io.thoonk.coordinator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Coordinators and shards whose nodes require a password ({@code requirepass}), on real
 * redis-server processes: a coordinator with a wrong password cannot register the shard and says
 * why, and one whose probes are refused reports the refusal and what to check, not just "down".
 * (The failover of such a shard: {@link DetectionToPromotionTest}, auth PASSWORD.)
 */
class ShardAuthenticationTest {

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    static final String SECRET = "shard-pw";
    static final RedisCredentials RIGHT = RedisCredentials.password(SECRET.toCharArray());
    static final RedisCredentials WRONG = RedisCredentials.password("not-the-password".toCharArray());
    static final Duration WAIT = Duration.ofSeconds(15);

    static AddShardRequest shard(String id, RedisShard redis) {
        return AddShardRequest.newBuilder().setId(id).setPrimary(redis.primaryAddress())
                .addAllReplicas(redis.replicaAddresses()).build();
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @Test
    void add_shard_with_a_wrong_password_is_refused_saying_the_node_refused_our_credentials() throws Exception {
        RedisShard redis = coordinators.own(RedisShard.start(1, SECRET));
        Coordinator leader = coordinators.startLeader(coordinators.config("c1").redisCredentials(WRONG));

        assertThatThrownBy(() -> admin(leader).addShard(shard("s1", redis)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("shard node " + redis.primaryAddress()
                            + " refused our credentials (WRONGPASS, user 'default'): check the coordinators' "
                            + "THOONK_REDIS_PASSWORD (or --redis-password-file) and THOONK_REDIS_USERNAME");
                });
        assertThat(admin(leader).status(StatusRequest.getDefaultInstance()).getShardsList()).isEmpty();
    }

    @Test
    void a_coordinator_whose_probes_are_refused_reports_the_refusal_while_the_others_see_the_nodes_up()
            throws Exception {
        RedisShard redis = coordinators.own(RedisShard.start(1, SECRET));
        Coordinator right = coordinators.startLeader(coordinators.config("c1").clusterSize(2).redisCredentials(RIGHT));
        coordinators.start(coordinators.config("c2").clusterSize(2).redisCredentials(WRONG));
        admin(right).addShard(shard("s1", redis));

        List<String> nodes = List.of(redis.primaryAddress(), redis.replicaAddresses().get(0));
        await().atMost(WAIT).untilAsserted(() -> {
            List<NodeHealth> report = admin(right).status(StatusRequest.getDefaultInstance()).getNodesList();
            for (String node : nodes) {
                assertThat(report).filteredOn(h -> h.getNode().equals(node) && h.getCoordinatorId().equals("c1"))
                        .singleElement().satisfies(h -> assertThat(h.getReachable()).isTrue());
                assertThat(report).filteredOn(h -> h.getNode().equals(node) && h.getCoordinatorId().equals("c2"))
                        .singleElement().satisfies(h -> {
                            assertThat(h.getReachable()).isFalse();
                            assertThat(h.getError()).isEqualTo("shard node " + node + " refused our credentials "
                                    + "(WRONGPASS, user 'default'): check the coordinators' THOONK_REDIS_PASSWORD (or "
                                    + "--redis-password-file) and THOONK_REDIS_USERNAME");
                        });
            }
        });
        assertThat(right.nodeHealth().isDown(redis.primaryAddress()))
                .as("one coordinator of two refused is no majority").isFalse();
    }

    @Test
    void the_configuration_never_shows_the_password() {
        CoordinatorConfig config = CoordinatorConfig.builder("127.0.0.1:2181")
                .redisCredentials(RedisCredentials.of("thoonk", SECRET.toCharArray())).build();

        assertThat(config.toString()).doesNotContain(SECRET).contains("RedisCredentials[user=thoonk, password=****]");
        assertThat(CoordinatorConfig.builder("127.0.0.1:2181").build().redisCredentials())
                .isEqualTo(RedisCredentials.none());
    }
}
