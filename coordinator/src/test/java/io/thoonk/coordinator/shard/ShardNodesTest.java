package io.thoonk.coordinator.shard;

import io.thoonk.contract.RedisCredentials;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Shard registration checks against real redis-server processes. */
class ShardNodesTest {

    ShardNodes nodes;
    final Closer started = new Closer();

    @BeforeEach
    void open() {
        nodes = new ShardNodes(Duration.ofSeconds(5));
    }

    @AfterEach
    void closeAll() {
        nodes.close();
        started.close();
    }

    <T extends AutoCloseable> T own(T resource) {
        return started.add(resource);
    }

    static void awaitLinkUp(RedisProcess replica) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> replica.call("INFO replication").contains("master_link_status:up"));
    }

    @Test
    void a_shard_whose_nodes_want_a_password_is_refused_saying_so_and_accepted_with_it() {
        RedisShard shard = own(RedisShard.start(1, "nodes-pw"));
        String primary = shard.primaryAddress();
        List<String> replicas = shard.replicaAddresses();

        assertThatThrownBy(() -> nodes.checkShard(primary, replicas))
                .isInstanceOfSatisfying(CoordinatorException.class, e ->
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                .hasMessageStartingWith("shard node " + primary + " requires a password (NOAUTH) and the coordinators "
                        + "have none: set THOONK_REDIS_PASSWORD");
        try (ShardNodes wrong = new ShardNodes(Duration.ofSeconds(5), RedisCredentials.password("nope".toCharArray()))) {
            assertThatThrownBy(() -> wrong.checkShard(primary, replicas))
                    .isInstanceOfSatisfying(CoordinatorException.class, e ->
                            assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                    .hasMessageStartingWith("shard node " + primary + " refused our credentials (WRONGPASS, user "
                            + "'default'): check the coordinators' THOONK_REDIS_PASSWORD")
                    .message().doesNotContain("nope");
        }
        try (ShardNodes right = new ShardNodes(Duration.ofSeconds(5),
                RedisCredentials.password("nodes-pw".toCharArray()))) {
            assertThatCode(() -> right.checkShard(primary, replicas)).doesNotThrowAnyException();
            right.replicaOfNoOne(replicas.get(0), Duration.ofSeconds(5));
            assertThat(right.replication(replicas.get(0), Duration.ofSeconds(5)).isPrimary()).isTrue();
        }
    }

    @Test
    void a_replica_of_another_primary_on_the_same_port_of_another_host_is_refused() {
        RedisProcess primary = own(RedisProcess.start());
        // Another primary on the same port, on another loopback address (Linux routes 127/8 to lo).
        RedisProcess other = own(RedisProcess.startOn("127.0.0.2", primary.port()));
        RedisProcess replicaOfOther = own(RedisProcess.start("--replicaof", other.host(),
                Integer.toString(other.port())));
        awaitLinkUp(replicaOfOther);

        assertThatThrownBy(() -> nodes.checkShard("127.0.0.1:" + primary.port(),
                List.of("127.0.0.1:" + replicaOfOther.port())))
                .isInstanceOfSatisfying(CoordinatorException.class, e ->
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                .hasMessageContaining("replicates 127.0.0.2:" + primary.port())
                .hasMessageContaining("not the primary 127.0.0.1:" + primary.port());
    }

    @Test
    void localhost_and_127_0_0_1_name_the_same_primary() {
        RedisProcess primary = own(RedisProcess.start());
        String port = Integer.toString(primary.port());
        RedisProcess replicaViaIp = own(RedisProcess.start("--replicaof", "127.0.0.1", port));
        RedisProcess replicaViaLocalhost = own(RedisProcess.start("--replicaof", "localhost", port));
        awaitLinkUp(replicaViaIp);
        awaitLinkUp(replicaViaLocalhost);

        assertThatCode(() -> nodes.checkShard("localhost:" + port,
                List.of("127.0.0.1:" + replicaViaIp.port(), "localhost:" + replicaViaLocalhost.port())))
                .doesNotThrowAnyException();
        assertThatCode(() -> nodes.checkShard("127.0.0.1:" + port, List.of("127.0.0.1:" + replicaViaLocalhost.port())))
                .doesNotThrowAnyException();
    }

    @Test
    void indexing_refuses_a_node_that_is_not_a_primary_and_writes_nothing() {
        RedisShard shard = own(RedisShard.start(1));
        RedisProcess primary = shard.primary();
        RedisProcess replica = shard.replicas().get(0);
        primary.call("SADD feeds team:1:f");
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(replica.call("SCARD feeds")));

        assertThatThrownBy(() -> nodes.indexObjects(replica.address(), name -> "1", p -> { }))
                .isInstanceOfSatisfying(CoordinatorException.class, e ->
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                .hasMessageStartingWith("node " + replica.address() + " is not a primary (ROLE says slave)");
        assertThat(primary.call("EXISTS thoonk.team.objects:1")).isEqualTo("0");
    }
}
