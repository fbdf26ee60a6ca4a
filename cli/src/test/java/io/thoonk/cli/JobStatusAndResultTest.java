package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.client.Priority;
import io.thoonk.client.Thoonk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code thoonk job status NAME ID} and {@code thoonk job result NAME ID [--wait DURATION]}. */
class JobStatusAndResultTest extends RedisCliTestSupport {

    private static final String NL = System.lineSeparator();

    @Test
    void status_follows_a_job_through_its_life() {
        cli.run("job", "put", "work", "p", "--id", "j1");
        assertThat(cli.run("job", "status", "work", "j1").lines()).containsExactly("id: j1", "state: queued",
                "failures: 0");

        cli.run("job", "get", "work");
        assertThat(cli.run("job", "status", "work", "j1").lines()).contains("state: claimed");

        cli.run("job", "cancel", "work", "j1");
        assertThat(cli.run("job", "status", "work", "j1").lines()).contains("state: queued", "failures: 1");

        cli.run("job", "get", "work");
        cli.run("job", "stall", "work", "j1");
        JsonNode stalled = cli.run("job", "status", "work", "j1", "--output", "json").json().get(0);
        assertThat(stalled.get("name").asText()).isEqualTo("work");
        assertThat(stalled.get("id").asText()).isEqualTo("j1");
        assertThat(stalled.get("state").asText()).isEqualTo("stalled");
        assertThat(stalled.get("failures").asLong()).as("stalling clears the count (the contract's stall)").isZero();

        cli.run("job", "retry", "work", "j1");
        cli.run("job", "get", "work");
        cli.run("job", "finish", "work", "j1", "--result", "done");
        assertThat(cli.run("job", "status", "work", "j1").lines()).contains("state: finished");
    }

    @Test
    void an_unknown_job_is_a_failure_with_a_clear_message() {
        cli.run("job", "put", "work", "p", "--id", "j1");

        Result status = cli.run("job", "status", "work", "nope");
        Result result = cli.run("job", "result", "work", "nope");

        String message = "thoonk: no job 'nope' in 'work': never queued, retracted, or finished longer ago than the "
                + "queue keeps results (result_ttl_ms)" + NL;
        assertThat(status.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(status.err()).isEqualTo(message);
        assertThat(status.out()).isEmpty();
        assertThat(result.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(result.err()).isEqualTo(message);
    }

    @Test
    @Timeout(30)
    void waiting_for_an_unknown_job_fails_at_once() {
        Result result = cli.run("job", "result", "work", "nope", "--wait", "10m");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(result.err()).startsWith("thoonk: no job 'nope' in 'work'");
    }

    @Test
    void result_prints_a_finished_jobs_result_in_text_and_json() {
        finishedJob("j1", "rendered frame-1");

        Result text = cli.run("job", "result", "work", "j1");
        JsonNode json = cli.run("job", "result", "work", "j1", "--output", "json").json().get(0);

        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).isEqualTo("rendered frame-1" + NL);
        assertThat(json.get("name").asText()).isEqualTo("work");
        assertThat(json.get("id").asText()).isEqualTo("j1");
        assertThat(json.get("result").asText()).isEqualTo("rendered frame-1");
    }

    @Test
    void a_job_finished_without_a_result_has_an_empty_one() {
        cli.run("job", "put", "work", "p", "--id", "j1");
        cli.run("job", "get", "work");
        cli.run("job", "finish", "work", "j1");

        Result result = cli.run("job", "result", "work", "j1", "--output", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.json().get(0).get("result").asText()).isEmpty();
    }

    @Test
    void the_result_of_an_unfinished_job_is_a_failure_that_points_at_wait() {
        cli.run("job", "put", "work", "p", "--id", "j1");

        Result result = cli.run("job", "result", "work", "j1");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(result.err()).isEqualTo("thoonk: job 'j1' in 'work' is queued, not finished; to wait for it: "
                + "--wait DURATION" + NL);
    }

    @Test
    void wait_returns_the_result_once_a_worker_finishes_the_job() throws Exception {
        cli.run("job", "put", "work", "p", "--id", "j1");
        CompletableFuture<Result> waiting = CompletableFuture.supplyAsync(
                () -> cli.run("job", "result", "work", "j1", "--wait", "30s"));
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.isDone()
                || redis.primary().call("PUBSUB CHANNELS *").contains("work"));

        try (Thoonk worker = Thoonk.connect(redis.primaryUri())) {
            worker.jobs("work").get(Duration.ofSeconds(5)).orElseThrow();
            worker.jobs("work").finish("j1", "ok");
        }
        Result result = waiting.get(20, TimeUnit.SECONDS);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("ok" + NL);
    }

    @Test
    void wait_gives_up_after_the_duration_and_says_where_the_job_is() {
        cli.run("job", "put", "work", "p", "--id", "j1");
        cli.run("job", "get", "work");

        Result result = cli.run("job", "result", "work", "j1", "--wait", "200ms");

        assertThat(result.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(result.err()).isEqualTo("thoonk: job 'j1' in 'work' did not finish within 200ms (it is claimed)"
                + NL);
    }

    private void finishedJob(String id, String result) {
        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri())) {
            thoonk.jobs("work").put("p", id, Priority.NORMAL);
            thoonk.jobs("work").get(Duration.ofSeconds(5)).orElseThrow();
            thoonk.jobs("work").finish(id, result);
        }
    }
}
