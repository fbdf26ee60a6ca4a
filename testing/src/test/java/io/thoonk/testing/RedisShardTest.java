package io.thoonk.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RedisShardTest {

    @Test
    void replicas_are_linked_when_start_returns_and_follow_the_primary() {
        RedisShard shard = RedisShard.start(2);
        try {
            assertThat(shard.replicas()).hasSize(2);
            assertThat(shard.processes()).hasSize(3).startsWith(shard.primary());
            assertThat(shard.replicaAddresses()).doesNotContain(shard.primaryAddress()).doesNotHaveDuplicates();
            for (RedisProcess replica : shard.replicas()) {
                String info = replica.call("INFO replication");
                assertThat(info).contains("role:slave", "master_port:" + shard.primary().port(), "master_link_status:up");
            }
            shard.primary().call("SET k v");
            Deadline.await(Duration.ofSeconds(10), "the replicas did not get k",
                    () -> shard.replicas().stream().allMatch(r -> "v".equals(r.call("GET k"))));

            shard.flushAll();
            Deadline.await(Duration.ofSeconds(10), "the replicas were not emptied",
                    () -> shard.replicas().stream().allMatch(r -> "0".equals(r.call("DBSIZE"))));
        } finally {
            shard.close();
        }
        assertThat(shard.processes()).noneMatch(RedisProcess::isAlive);
    }

    @Test
    void after_the_primary_restarts_the_links_come_back() {
        try (RedisShard shard = RedisShard.start(1)) {
            shard.primary().kill();
            shard.primary().restart();
            shard.awaitReplicationLinks();
            assertThat(shard.replicas().get(0).call("INFO replication")).contains("master_link_status:up");
        }
    }

    @Test
    void a_shard_with_a_password_refuses_clients_without_it_and_replicates_with_it() throws Exception {
        try (RedisShard shard = RedisShard.start(1, "fixture-pw")) {
            RedisProcess primary = shard.primary();
            assertThat(primary.password()).contains("fixture-pw");
            assertThat(primary.uri()).isEqualTo("redis://:fixture-pw@" + primary.address());
            assertThat(shard.replicas().get(0).call("INFO replication")).contains("master_link_status:up");
            try (java.net.Socket socket = new java.net.Socket(primary.host(), primary.port())) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String reply = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        java.nio.charset.StandardCharsets.US_ASCII)).readLine();
                assertThat(reply).as("a client without the password").startsWith("-NOAUTH");
            }
            assertThat(primary.call("PING")).as("the fixture's own commands authenticate").isEqualTo("PONG");

            primary.call("SET k v");
            Deadline.await(Duration.ofSeconds(10), "the replica did not get k",
                    () -> "v".equals(shard.replicas().get(0).call("GET k")));
        }
    }
}
