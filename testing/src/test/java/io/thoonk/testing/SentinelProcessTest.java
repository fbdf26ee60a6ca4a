package io.thoonk.testing;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SentinelProcessTest {

    private static final Map<String, String> FAST = Map.of("down-after-milliseconds", "500",
            "failover-timeout", "5000", "parallel-syncs", "1");

    @Test
    void three_sentinels_find_each_other_and_promote_the_replica_of_a_killed_master() {
        try (RedisShard shard = RedisShard.start(1); Closer sentinels = new Closer()) {
            List<SentinelProcess> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(sentinels.add(SentinelProcess.monitoring("shard-1", shard.primary(), 2, FAST)));
            }
            for (SentinelProcess s : all) {
                assertThat(s.masterAddress()).isEqualTo(shard.primaryAddress());
                assertThat(s.master()).containsEntry("down-after-milliseconds", "500").containsEntry("quorum", "2");
                s.awaitPeers(1, 2, Duration.ofSeconds(20));
            }
            shard.primary().call("SET before failover");

            shard.primary().kill();

            String replica = shard.replicaAddresses().get(0);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    all.forEach(s -> assertThat(s.masterAddress()).as("%s's master", s).isEqualTo(replica)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(shard.replicas().get(0).call("INFO replication")).contains("role:master"));
            assertThat(shard.replicas().get(0).call("GET before")).isEqualTo("failover");
        }
    }

    @Test
    void close_kills_it_and_deletes_its_directory() {
        try (RedisProcess master = RedisProcess.start()) {
            SentinelProcess sentinel = SentinelProcess.monitoring("m", master, 1, Map.of());
            Path conf = Path.of(sentinel.call("INFO server").lines().filter(l -> l.startsWith("config_file:"))
                    .findFirst().orElseThrow().substring("config_file:".length()));
            Path directory = conf.getParent();
            int port = sentinel.port();
            assertThat(sentinel.call("INFO server")).contains("redis_mode:sentinel");
            assertThat(conf).hasFileName("sentinel.conf").content().contains("sentinel monitor m 127.0.0.1 "
                    + master.port() + " 1");
            assertThat(sentinel).hasToString("redis-sentinel[127.0.0.1:" + port + ", m]");

            sentinel.close();

            assertThat(sentinel.isAlive()).isFalse();
            RedisProcessTest.assertRefused(port);
            assertThat(directory).doesNotExist();
            sentinel.close(); // idempotent
        }
    }

    @Test
    void bad_settings_are_refused_before_anything_starts() {
        try (RedisProcess master = RedisProcess.start()) {
            assertThatThrownBy(() -> SentinelProcess.monitoring("my master", master, 2, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("masterName must be letters, digits, '.', '_' or '-', was 'my master'");
            assertThatThrownBy(() -> SentinelProcess.monitoring("m", master, 0, Map.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("quorum must be >= 1, was 0");
            assertThatThrownBy(() -> SentinelProcess.monitoring("m", master, 2,
                    Map.of("down-after-milliseconds", "5 00")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was down-after-milliseconds=5 00");
            assertThatThrownBy(() -> SentinelProcess.monitoring("m", master, 2, Map.of("no-such-option", "1")))
                    .isInstanceOf(FixtureException.class).hasMessageContaining("exited at start");
        }
    }
}
