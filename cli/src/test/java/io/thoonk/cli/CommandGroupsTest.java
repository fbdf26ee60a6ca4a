package io.thoonk.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A command line builds only the command group it names, so that a data command does not pay for
 * reflecting over the admin, coordinator and dev commands (and loading gRPC, ZooKeeper and the
 * fixtures); the top-level help and a mistyped group still see every group.
 */
class CommandGroupsTest {

    private static final InputStream NO_INPUT = new ByteArrayInputStream(new byte[0]);
    private static final String[] ALL = {"feed", "sorted", "queue", "job", "demo", "admin", "coordinator", "dev"};

    @Test
    void a_data_command_builds_its_group_only() {
        assertThat(groups("feed", "all", "news")).containsExactly("feed");
        assertThat(groups("--output", "json", "job", "list", "work")).containsExactly("job");
        assertThat(groups("--output=json", "queue", "get", "q")).containsExactly("queue");
        assertThat(groups("admin", "status")).containsExactly("admin");
    }

    @Test
    void the_help_and_an_unknown_group_see_every_group() {
        assertThat(groups("--help")).containsExactly(ALL);
        assertThat(groups()).containsExactly(ALL);
        assertThat(groups("feeed", "all", "news")).containsExactly(ALL);
        assertThat(CliRunner.runExactly("feeed", "all").err()).contains("Did you mean: thoonk feed");
    }

    private static String[] groups(String... args) {
        return ThoonkCli.commandLine(NO_INPUT, args).getSubcommands().keySet().toArray(String[]::new);
    }
}
