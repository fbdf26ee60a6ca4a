package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The data commands against a Redis that requires a password (a real redis-server with
 * {@code requirepass}): the password from {@code --redis-password-file} or the URI works, a missing
 * or wrong one is refused in the CLI's words, never shown, and never taken on the command line.
 * (The environment variables and their order: {@link CoordinatorSettingsTest}, the same resolution.)
 */
class RedisAuthCommandTest {

    static final String SECRET = "cli-pw";

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly().withPassword(SECRET);

    static String plainUri() {
        return "redis://" + redis.primary().address();
    }

    @Test
    void the_password_comes_from_a_file_or_the_uri(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("password"), SECRET + "\n");

        Result published = CliRunner.runExactly("feed", "publish", "team:1:news", "hello", "--id", "a",
                "--redis", plainUri(), "--redis-password-file", secret.toString());
        assertThat(published.exitCode()).as(published.toString()).isZero();

        Result listed = CliRunner.runExactly("feed", "all", "team:1:news", "--redis", redis.primaryUri());
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.lines()).containsExactly("a\thello");
    }

    @Test
    void a_missing_or_wrong_password_is_refused_in_the_clis_words(@TempDir Path dir) throws IOException {
        Result none = CliRunner.runExactly("feed", "all", "team:1:news", "--redis", plainUri());
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(none.err()).startsWith("thoonk: Redis at " + redis.primary().address()
                + " refused the credentials: NOAUTH ").contains("(none were given: set THOONK_REDIS_PASSWORD, or use "
                + "--redis-password-file FILE)");

        Path wrong = Files.writeString(dir.resolve("wrong"), "wrong-pw");
        Result refused = CliRunner.runExactly("feed", "all", "team:1:news", "--redis", plainUri(),
                "--redis-password-file", wrong.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(refused.err()).startsWith("thoonk: Redis at " + redis.primary().address()
                + " refused the credentials: WRONGPASS ").contains("(check THOONK_REDIS_PASSWORD or "
                + "--redis-password-file, and THOONK_REDIS_USERNAME)").doesNotContain("wrong-pw");
    }

    @Test
    void a_password_on_the_command_line_is_refused_without_connecting() {
        Result result = CliRunner.runExactly("feed", "all", "team:1:news", "--redis", plainUri(),
                "--redis-password", SECRET);

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(result.err()).isEqualTo("thoonk: --redis-password is not accepted: on the command line every user "
                + "of this machine can read it (ps); set THOONK_REDIS_PASSWORD, or use --redis-password-file FILE\n");
    }
}
