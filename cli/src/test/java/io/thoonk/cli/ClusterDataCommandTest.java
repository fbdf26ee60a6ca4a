package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Data subcommands with {@code --coordinator}: each object goes to its team's shard. */
class ClusterDataCommandTest {

    /** Two shards without replicas, registered as "one" and "two" with a coordinator of the test's own. */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("one", "two"));

    static RedisProcess first;
    static RedisProcess second;
    static Coordinator coordinator;

    @BeforeEach
    void start() {
        first = local.cluster().shard("one").primary();
        second = local.cluster().shard("two").primary();
        coordinator = local.cluster().coordinator();
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
