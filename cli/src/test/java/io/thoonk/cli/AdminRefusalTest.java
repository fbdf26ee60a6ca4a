package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code thoonk admin} refuses, each as one line naming what is wrong: a Redis another shard
 * already uses, a team id no object can spell; and {@code --weight 0} is kept, not turned into 1.
 */
class AdminRefusalTest {

    /** A coordinator of its own per test (an empty directory) and shards it does not know yet. */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder()
            .shards("s1", "s2").registerShards(false));

    static Coordinator coordinator;
    static RedisProcess first;

    @BeforeEach
    void start() {
        coordinator = local.cluster().coordinator();
        first = local.cluster().shard("s1").primary();
    }

    static Result admin(String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--coordinator", coordinator.address()));
        return CliRunner.runExactly(all.toArray(String[]::new));
    }

    @Test
    void a_redis_another_shard_uses_is_refused_by_any_name() {
        assertThat(admin("add-shard", "s1", first.address()).exitCode()).isZero();

        Result refused = admin("add-shard", "again", "localhost:" + first.port());

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(refused.err()).isEqualTo("thoonk: ALREADY_EXISTS: primary localhost:" + first.port()
                + " is already used by shard 's1' (primary " + first.address() + "); one Redis can serve only one "
                + "shard" + System.lineSeparator());
        assertThat(admin("shards").out()).doesNotContain("again");
    }

    @Test
    void weight_0_is_kept_and_such_a_shard_takes_no_new_teams() {
        Result added = admin("add-shard", "s1", first.address(), "--weight", "0");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.lines()).anySatisfy(line -> assertThat(line).matches("s1\\s+active\\s+" + first.address()
                + "\\s+-\\s+0\\s+1\\s+0"));

        Result resolve = admin("resolve", "42");
        assertThat(resolve.exitCode()).as(resolve.toString()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(resolve.err()).startsWith("thoonk: FAILED_PRECONDITION: no shard to place team '42' on: every "
                + "active shard has weight 0").hasLineCount(1);

        Result negative = admin("add-shard", "s2", local.cluster().shard("s2").primaryAddress(), "--weight", "-3");
        assertThat(negative.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(negative.err()).isEqualTo("thoonk: INVALID_ARGUMENT: weight must be >= 0 (0: the shard takes no "
                + "new teams), was -3" + System.lineSeparator());
    }

    @Test
    void an_object_name_given_as_a_team_is_refused_in_one_line_with_the_team_it_names() {
        assertThat(admin("add-shard", "s1", first.address()).exitCode()).isZero();

        for (String command : List.of("resolve", "team")) {
            Result refused = admin(command, "team:353:news");
            assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ErrorHandler.USAGE);
            assertThat(refused.err()).isEqualTo("thoonk: INVALID_ARGUMENT: team name 'team:353:news' contains ':' at "
                    + "index 4; a team id cannot hold ':' (no object name can be in such a team); did you mean '353' "
                    + "(the team of object 'team:353:news')?" + System.lineSeparator());
        }
        assertThat(admin("status").out()).contains("teams: 0");
    }
}
