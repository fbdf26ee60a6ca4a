package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code thoonk admin failover} and the failovers {@code admin status} lists, against a real cluster. */
class AdminFailoverTest {

    /** Per test: a switchover swaps the shard's roles, so no test may inherit another's shard. */
    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s1")
            .replicasPerShard(1));

    Result admin(String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--coordinator", local.cluster().coordinator().address()));
        return CliRunner.runExactly(all.toArray(String[]::new));
    }

    @Test
    void failover_hands_the_primary_to_the_replica_and_status_lists_it_with_its_phase_timings() {
        RedisShard shard = local.cluster().shard("s1");
        String primary = shard.primaryAddress();
        String replica = shard.replicaAddresses().get(0);
        await().atMost(Duration.ofSeconds(15)).until(() -> shard.primary().call("INFO replication")
                .contains("state=online") && shard.replicas().get(0).call("INFO replication")
                .matches("(?s).*slave_repl_offset:[1-9].*"));

        Result done = admin("failover", "s1", "--timeout", "2s", "--output", "json");

        assertThat(done.exitCode()).as(done.toString()).isZero();
        JsonNode json = done.json().get(0);
        assertThat(json.path("shard").path("primary").asText()).isEqualTo(replica);
        assertThat(json.path("shard").path("epoch").asLong()).isEqualTo(2);
        assertThat(json.path("failover").path("kind").asText()).isEqualTo("FAILOVER_PLANNED");
        assertThat(json.path("failover").path("oldPrimary").asText()).isEqualTo(primary);
        assertThat(json.path("failover").path("outcome").asText()).isEqualTo("promoted");

        Result status = admin("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("recent failovers:", "STARTED (UTC)", "PUBLISHED");
        String row = status.lines().stream().filter(l -> l.contains(" planned ")).findFirst().orElseThrow();
        assertThat(row).contains("s1", primary, replica, "promoted");
    }

    @Test
    void bad_input_is_refused_with_the_reason() {
        RedisShard shard = local.cluster().shard("s1");

        Result unknown = admin("failover", "nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("thoonk: NOT_FOUND: no shard 'nope'");

        Result notAReplica = admin("failover", "s1", "--to", "127.0.0.1:1");
        assertThat(notAReplica.exitCode()).as(notAReplica.toString()).isEqualTo(1);
        assertThat(notAReplica.err()).startsWith("thoonk: NOT_FOUND: shard 's1' has no replica 127.0.0.1:1; its "
                + "replicas are " + shard.replicaAddresses().get(0));

        Result tooLong = admin("failover", "s1", "--timeout", "10s");
        assertThat(tooLong.exitCode()).as(tooLong.toString()).isEqualTo(2);
        assertThat(tooLong.err()).startsWith("thoonk: INVALID_ARGUMENT: timeout must be 1 to 5000 ms");
        assertThat(tooLong.out()).isEmpty();
    }
}
