package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Thoonk;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class QueueAndJobCommandTest extends RedisCliTestSupport {

    @Test
    void queueIsFifoWithAHighPriorityLane() {
        cli.run("queue", "put", "q", "first");
        cli.run("queue", "put", "q", "second");
        cli.run("queue", "put", "q", "urgent", "--high");

        assertThat(cli.run("queue", "get", "q").out().trim()).isEqualTo("urgent");
        assertThat(cli.run("queue", "get", "q").out().trim()).isEqualTo("first");
        assertThat(cli.run("queue", "get", "q", "--output", "json").json().get(0).get("item").asText())
                .isEqualTo("second");
    }

    @Test
    void retracting_an_unknown_job_fails_like_retracting_an_unknown_item() {
        Result unknown = cli.run("job", "retract", "work", "nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(1);
        assertThat(unknown.err()).contains("no job 'nope' in 'work'");

        cli.run("job", "put", "work", "x", "--id", "j9");
        Result known = cli.run("job", "retract", "work", "j9");
        assertThat(known.exitCode()).as(known.toString()).isZero();
    }

    @Test
    void getFromAnEmptyQueueFailsAfterTheTimeout() {
        Result result = cli.run("queue", "get", "q", "--timeout", "100ms");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: no item in queue 'q' within 100ms" + System.lineSeparator());
    }

    @Test
    void jobRoundTrip() {
        Result put = cli.run("job", "put", "work", "resize photo.png", "--id", "j1");
        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(cli.run("job", "list", "work").lines()).containsExactly("j1\tqueued");

        Result got = cli.run("job", "get", "work", "--timeout", "2s");
        assertThat(got.exitCode()).as(got.toString()).isZero();
        assertThat(got.lines()).containsExactly("id: j1", "payload: resize photo.png", "failures: 0");
        assertThat(cli.run("job", "list", "work", "--state", "claimed").lines()).containsExactly("j1\tclaimed");

        Result finished = cli.run("job", "finish", "work", "j1", "--result", "done");
        assertThat(finished.exitCode()).as(finished.toString()).isZero();

        assertThat(cli.run("job", "list", "work").lines()).isEmpty();
        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri())) {
            Jobs jobs = thoonk.jobs("work");
            assertThat(jobs.state("j1")).isEqualTo(JobState.FINISHED);
            assertThat(jobs.result("j1")).contains("done");
        }
    }

    @Test
    void cancelledJobComesBackWithAFailureAndCanBeStalledAndRetried() {
        cli.run("job", "put", "work", "p", "--id", "j1");
        cli.run("job", "get", "work");
        assertThat(cli.run("job", "cancel", "work", "j1").out()).contains("cancelled job j1");

        JsonNode again = cli.run("job", "get", "work", "--output", "json").json().get(0);
        assertThat(again.get("id").asText()).isEqualTo("j1");
        assertThat(again.get("failures").asLong()).isEqualTo(1);

        cli.run("job", "stall", "work", "j1");
        assertThat(cli.run("job", "list", "work").lines()).containsExactly("j1\tstalled");
        cli.run("job", "retry", "work", "j1");
        assertThat(cli.run("job", "list", "work").lines()).containsExactly("j1\tqueued");
        assertThat(cli.run("job", "retract", "work", "j1").out()).contains("retracted j1");
        assertThat(cli.run("job", "list", "work").lines()).isEmpty();
    }

    @Test
    void finishingAnUnclaimedJobIsAFailure() {
        cli.run("job", "put", "work", "p", "--id", "j1");

        Result result = cli.run("job", "finish", "work", "j1");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: job 'j1' in 'work'");
    }
}
