package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data commands with {@code --redis} pointed at a shard of a cluster: refused, since writing there
 * directly would skip the cluster's routing, unless {@code --force-direct} says so.
 */
class DirectToShardTest {

    /** One shard "one", registered with a coordinator of the test's own. */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("one"));

    @Test
    void a_write_to_a_cluster_shard_is_refused_in_one_line_and_writes_nothing() {
        RedisProcess shard = local.cluster().shard("one").primary();

        Result refused = CliRunner.runExactly("feed", "publish", "team:1:news", "hello", "--redis", shard.uri());

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ErrorHandler.USAGE);
        assertThat(refused.err()).isEqualTo("thoonk: the Redis at " + shard.address() + " is shard 'one' of a Thoonk "
                + "cluster: writing to it directly skips the cluster's routing, so a team's objects could end up on "
                + "two shards; use --coordinator HOST:PORT (one of the cluster's coordinators) instead, or add "
                + "--force-direct to use this Redis anyway" + System.lineSeparator());
        assertThat(shard.call("EXISTS feed.config:team:1:news")).isEqualTo("0");
        assertThat(CliRunner.runExactly("feed", "ids", "team:1:news", "--redis", shard.uri()).exitCode())
                .as("reads too: one shard's view of a cluster misleads").isEqualTo(ErrorHandler.USAGE);
    }

    @Test
    void force_direct_uses_the_shard_anyway_and_the_coordinator_routes_as_usual() {
        RedisProcess shard = local.cluster().shard("one").primary();

        Result forced = CliRunner.runExactly("feed", "publish", "team:1:news", "hello", "--id", "a", "--redis",
                shard.uri(), "--force-direct");
        assertThat(forced.exitCode()).as(forced.toString()).isZero();
        assertThat(shard.call("HGET feed.items:team:1:news a")).isEqualTo("hello");

        Result routed = CliRunner.runExactly("feed", "all", "team:1:news", "--coordinator",
                local.cluster().coordinator().address());
        assertThat(routed.exitCode()).as(routed.toString()).isZero();
        assertThat(routed.out()).contains("hello");
    }
}
