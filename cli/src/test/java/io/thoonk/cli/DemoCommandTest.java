package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DemoCommandTest {

    @RegisterExtension
    static RedisShardExtension redis = RedisShardExtension.primaryOnly();

    private final CliRunner cli = new CliRunner(redis::primaryUri);

    @Test
    void tourOnAGivenRedisPrintsEveryKindOfEvent() {
        Result result = cli.run("demo", "--output", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<JsonNode> lines = result.json();
        assertThat(lines.get(0).path("note").asText()).as("before it writes, the objects it will write")
                .startsWith("The tour writes to three objects in the Redis at " + redis.primaryUri() + ": "
                        + "team:1:news (a feed), team:1:board (a sorted feed) and team:1:jobs (a job queue).");
        assertThat(lines).extracting(line -> line.path("type").asText())
                .contains("publish", "edit", "retract", "position", "claim", "finish");
        assertThat(lines).filteredOn(line -> line.has("note"))
                .extracting(line -> line.get("note").asText())
                .anyMatch(note -> note.contains("returned 'done: send welcome mail'"));
    }

    @Test
    void withoutRedisItRunsAndStopsItsOwnServer() {
        assumeTrue(System.getenv(Target.REDIS_ENV) == null && System.getenv(Target.COORDINATOR_ENV) == null,
                "THOONK_REDIS or THOONK_COORDINATOR is set: the demo would use it");
        Result result = CliRunner.runExactly("demo");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        Matcher started = Pattern.compile("redis-server at redis://127\\.0\\.0\\.1:(\\d+)").matcher(result.out());
        assertThat(started.find()).as(result.out()).isTrue();
        assertThat(result.out()).contains("event team:1:board position id=4 position=2:");
        int port = Integer.parseInt(started.group(1));
        assertThatExceptionOfType(IOException.class).as("redis-server on port %d is stopped", port)
                .isThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 1000));
    }
}
