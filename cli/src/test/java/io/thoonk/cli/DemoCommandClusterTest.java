package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code thoonk demo --coordinator ...}: the tour through a cluster, on team 1's shard. */
class DemoCommandClusterTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("one", "two"));

    @Test
    void the_tour_runs_through_the_cluster_and_names_what_it_writes_first() {
        String coordinator = local.cluster().coordinator().address();

        Result result = CliRunner.runExactly("demo", "--coordinator", coordinator);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> lines = result.lines();
        assertThat(lines.get(0)).startsWith("The tour writes to three objects in the cluster of coordinator(s) "
                + coordinator + ": team:1:news (a feed)");
        assertThat(lines).doesNotContain("Started a throw-away redis-server");
        List<String> standup = local.cluster().shards().values().stream()
                .map(shard -> shard.primary().call("HGET feed.items:team:1:news standup"))
                .filter(item -> item != null && !item.isEmpty()).toList();
        assertThat(standup).as("on team 1's shard, and only there").containsExactly("standup at 10:30");
    }
}
