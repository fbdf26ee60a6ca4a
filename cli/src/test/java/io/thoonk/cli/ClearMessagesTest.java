package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** Wrong addresses and wrong names, as a person makes them: one line saying what is wrong, in the CLI's words. */
class ClearMessagesTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    private static final String NL = System.lineSeparator();

    @Test
    void admin_pointed_at_a_redis_port_says_it_is_not_a_coordinator() {
        String address = redis.primary().address();

        Result result = CliRunner.runExactly("admin", "status", "--coordinator", address);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: " + address + " does not speak the coordinator's gRPC API: is "
                + "this a Redis port? (give a coordinator's gRPC address, e.g. the one `thoonk dev` or "
                + "`thoonk coordinator` prints)" + NL);
    }

    @Test
    void a_data_command_pointed_at_a_redis_port_as_coordinator_says_it_is_not_a_coordinator() {
        String address = redis.primary().address();

        Result result = CliRunner.runExactly("feed", "all", "team.1.news", "--coordinator", address);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: cannot list the shards: " + address
                + " does not speak the coordinator's gRPC API: is this a Redis port?").doesNotContain("http2");
    }

    @Test
    void an_unreachable_coordinator_says_why_in_one_line() throws IOException {
        String address = "127.0.0.1:" + closedPort();

        Result data = CliRunner.runExactly("feed", "publish", "team.1.news", "hi", "--coordinator", address);
        assertThat(data.exitCode()).isEqualTo(1);
        assertThat(data.err()).isEqualTo("thoonk: cannot list the shards: no coordinator answered at " + address
                + " (Connection refused)" + NL);

        Result admin = CliRunner.runExactly("admin", "status", "--coordinator", address);
        assertThat(admin.exitCode()).isEqualTo(1);
        assertThat(admin.err()).isEqualTo("thoonk: UNAVAILABLE: no coordinator answered at " + address
                + " (Connection refused)" + NL);
    }

    @Test
    void an_unreachable_redis_is_named_as_written() throws IOException {
        int port = closedPort();

        Result result = CliRunner.runExactly("feed", "all", "news", "--redis", "redis://127.0.0.1:" + port);

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: cannot connect to Redis at 127.0.0.1:" + port
                + ": Connection refused" + NL);
    }

    @Test
    void a_database_the_server_lacks_is_reported_as_such() {
        String address = redis.primary().address();

        Result result = CliRunner.runExactly("feed", "all", "news", "--redis", "redis://" + address + "/20");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: Redis at " + address + " has no database 20 (it has 16: 0-15)" + NL);
    }

    @Test
    void an_object_of_another_type_names_the_command_group_that_handles_it() {
        redis.flushAll();
        CliRunner cli = new CliRunner(redis::primaryUri);
        assertThat(cli.run("queue", "put", "team:1:inbox", "mail").exitCode()).isZero();

        Result result = cli.run("feed", "publish", "team:1:inbox", "hello");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: 'team:1:inbox' is a queue, not a feed: use ./thoonk queue ... "
                + "with it, or another name" + NL);
    }

    @Test
    void data_command_help_names_every_way_to_choose_the_target() {
        Result result = CliRunner.runExactly("feed", "publish", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("--redis", "--coordinator", "THOONK_REDIS", "THOONK_COORDINATOR",
                "./thoonk dev");
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
