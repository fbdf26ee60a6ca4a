package io.thoonk.deploy;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code helm lint --strict} passes, and a wrong value fails at install, naming the value, before
 * anything is created (values.schema.json, and {@code fail} in the templates for what a schema
 * cannot say).
 */
class ValuesValidationTest {

    @Test
    void the_chart_passes_strict_lint() {
        LintResult lint = Chart.lintStrict();

        assertThat(lint.isFailed()).as("lint: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void an_even_number_of_coordinators_fails() {
        for (int even : new int[] {0, 2, 4, 6}) {
            assertThat(Chart.defaults().set("coordinator.replicas", even).failure())
                    .contains("/coordinator/replicas").contains("1, 3, 5, 7");
        }
    }

    @Test
    void a_shard_count_that_is_not_a_number_fails() {
        String failure = Chart.defaults().set("redis.shards", "three").failure();

        assertThat(failure).contains("/redis/shards").contains("got string, want integer");
    }

    @Test
    void values_of_the_wrong_kind_fail() {
        assertThat(Chart.defaults().set("redis.replicasPerShard", -1).failure()).contains("replicasPerShard");
        assertThat(Chart.defaults().set("zookeeper.replicas", 2).failure()).contains("/zookeeper/replicas");
        assertThat(Chart.defaults().set("coordinator.downAfter", "half a second").failure()).contains("downAfter");
        assertThat(Chart.defaults().set("coordinator.minReplicasMaxLag", "1500ms").failure())
                .contains("minReplicasMaxLag");
        assertThat(Chart.defaults().set("redis.podAntiAffinity", "always").failure()).contains("podAntiAffinity");
        assertThat(Chart.defaults().set("redis.shardIdPrefix", "Shard_").failure()).contains("shardIdPrefix");
        // a misspelt key is refused rather than silently ignored
        assertThat(Chart.defaults().set("redis.shard", 2).failure()).contains("/redis").contains("'shard'");
    }

    @Test
    void an_external_zookeeper_needs_a_connect_string() {
        String failure = Chart.defaults().set("zookeeper.enabled", false).failure();

        assertThat(failure).contains("connectString");
    }

    @Test
    void a_release_name_too_long_for_the_stateful_sets_fails_naming_them() {
        String failure = Chart.defaults().set("fullnameOverride", "a-very-long-name-for-a-thoonk-cluster-in")
                .set("redis.shardIdPrefix", "shard-of-the-cluster-").failure();

        assertThat(failure).contains("more than 52").contains("shardIdPrefix");
    }
}
