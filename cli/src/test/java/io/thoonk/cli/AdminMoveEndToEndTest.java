package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code thoonk admin move / moves / drain / undrain / rebalance} against real coordinators and
 * Redis shards, as an operator runs them: the data goes where the command says, and what it prints
 * says so. (Rendering in every phase, terminals and Ctrl-C are covered against a scripted server in
 * {@link AdminMoveCommandTest}.)
 */
class AdminMoveEndToEndTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("one", "two"));

    @Test
    void an_operator_moves_a_team_drains_a_shard_undrains_it_and_plans_a_rebalance() {
        LocalCluster cluster = local.cluster();
        Coordinator coordinator = cluster.coordinator();
        String at = coordinator.address();
        RedisProcess one = cluster.shard("one").primary();
        RedisProcess two = cluster.shard("two").primary();
        run("admin", "place-team", "7", "one", "--coordinator", at);
        run("feed", "publish", "team.7.news", "hello", "--id", "greeting", "--coordinator", at);

        Result moved = run("admin", "move", "7", "two", "--coordinator", at);
        assertThat(moved.out()).contains("moved team 7 one -> two").contains("(team epoch 2)");
        assertThat(two.call("HGET feed.items:team.7.news greeting")).isEqualTo("hello");
        assertThat(one.call("EXISTS feed.items:team.7.news")).isEqualTo("0");
        assertThat(run("feed", "all", "team.7.news", "--coordinator", at).out()).contains("hello");
        assertThat(run("admin", "moves", "--coordinator", at).out()).contains("7").contains("one").contains("two");

        Result refused = CliRunner.runExactly("admin", "move", "7", "two", "--coordinator", at);
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).startsWith("thoonk: FAILED_PRECONDITION: ").contains("7");

        Result drained = run("admin", "drain", "two", "--output", "json", "--coordinator", at);
        assertThat(drained.out().lines()).as("one JSON object per progress message").isNotEmpty()
                .allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(one.call("HGET feed.items:team.7.news greeting")).as("drained back to shard one").isEqualTo("hello");
        assertThat(run("admin", "shards", "--coordinator", at).out()).containsPattern("two\\s+draining");
        run("admin", "undrain", "two", "--coordinator", at);
        assertThat(run("admin", "shards", "--coordinator", at).out()).containsPattern("two\\s+active");

        for (int team = 20; team < 24; team++) {
            run("admin", "place-team", Integer.toString(team), "one", "--coordinator", at);
        }
        Result plan = run("admin", "rebalance", "--dry-run", "--coordinator", at);
        assertThat(plan.out()).as("the plan moves two of the five teams from one to two")
                .contains("plan (team count): 2 moves").containsPattern("(?m)^TEAM\\s+FROM\\s+TO")
                .containsPattern("(?m)^2[0-3]\\s+one\\s+two");
        assertThat(two.call("EXISTS thoonk.team:20") + two.call("EXISTS thoonk.team:21"))
                .as("a dry run moves nothing").isEqualTo("00");
    }

    private static Result run(String... args) {
        Result r = CliRunner.runExactly(args);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        return r;
    }
}
