package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Usage errors, option parsing and failures that need no Redis. */
class UsageTest {

    @Test
    void helpListsTheCommands() {
        Result result = CliRunner.runExactly("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("feed", "sorted", "queue", "job", "demo");
    }

    @Test
    void missingSubcommandIsAUsageError() {
        Result result = CliRunner.runExactly("job");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: ").contains("thoonk job --help");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result result = CliRunner.runExactly("feed", "all", "news", "--colour");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: ").contains("--colour");
    }

    @Test
    void badDurationIsAUsageError() {
        Result result = CliRunner.runExactly("queue", "get", "q", "--timeout", "soon");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("'soon' is not a duration");
    }

    @Test
    void badRedisUriIsAUsageError() {
        Result result = CliRunner.runExactly("feed", "all", "news", "--redis", "localhost:6379");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: invalid Redis URI 'localhost:6379'");
    }

    @Test
    void unreachableRedisIsAFailure() {
        Result result = CliRunner.runExactly("feed", "all", "news", "--redis", "redis://127.0.0.1:1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: ").contains("127.0.0.1:1");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void durationsParseAndFormat() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofSeconds(120))).isEqualTo("2m");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("5"));
        assertThatIllegalArgumentException().isThrownBy(() -> Durations.parse("-1s"));
    }
}
