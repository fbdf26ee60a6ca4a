package io.thoonk.it;

import io.thoonk.client.Job;
import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Published;
import io.thoonk.client.Queue;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A blocking take rides a failover (real failure detection and promotion, nothing by hand): a
 * worker blocked in {@code get} when its shard's primary is killed (SIGKILL) waits again on the
 * promoted replica for the time left, and takes the item put there, once. A take whose shard stays
 * without a primary fails at its own timeout, not at the command timeout.
 */
class BlockingTakeFailoverTest {

    /** Per test: the fault changes which node of s0 is primary. */
    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(FaultCluster.builder());

    static final Duration LONG_GET = Duration.ofSeconds(30);
    static final Duration FAILOVER = Duration.ofSeconds(20);
    /** From the put on the new primary to the blocked get's return, at most: far below its 30 s. */
    static final Duration TAKEN_AFTER_PUT = Duration.ofSeconds(10);

    FaultCluster cluster;
    Thoonk worker;
    Thoonk producer;

    @BeforeEach
    void start() {
        cluster = new FaultCluster(local.cluster());
        cluster.admin().placeTeam(PlaceTeamRequest.newBuilder().setTeam("acme").setShardId("s0").setPin(true).build());
        worker = cluster.client();
        producer = cluster.client();
    }

    @AfterEach
    void stop() {
        worker.close();
        producer.close();
    }

    @Test
    void a_job_worker_blocked_in_get_when_the_primary_is_killed_takes_the_job_put_on_the_new_primary_once()
            throws Exception {
        Jobs jobs = worker.jobs("team:acme:jobs");
        assertThat(jobs.get(Duration.ZERO)).isEmpty(); // resolves the team: the get below blocks at once

        CompletableFuture<Optional<Job>> blocked = blockedTake(() -> jobs.get(LONG_GET));
        Published put = putAfterFailover(blocked, () -> producer.jobs("team:acme:jobs").put("after the failover"));
        long putAt = System.nanoTime();

        Optional<Job> taken = blocked.get(TAKEN_AFTER_PUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - putAt)).isLessThan(TAKEN_AFTER_PUT);
        assertThat(taken).hasValueSatisfying(job -> {
            assertThat(job.id()).isEqualTo(put.id());
            assertThat(job.payload()).isEqualTo("after the failover");
            assertThat(job.failures()).isZero();
        });
        // claimed once: nothing left to claim, the job claimed (not queued again)
        Jobs check = producer.jobs("team:acme:jobs");
        assertThat(check.state(put.id())).isEqualTo(JobState.CLAIMED);
        assertThat(check.list(JobState.QUEUED)).isEmpty();
        assertThat(check.list(JobState.CLAIMED)).containsExactly(put.id());
        assertThat(check.get(Duration.ZERO)).isEmpty();
    }

    @Test
    void a_queue_reader_blocked_in_get_when_the_primary_is_killed_takes_the_item_put_on_the_new_primary_once()
            throws Exception {
        Queue queue = worker.queue("team:acme:work");
        assertThat(queue.get(Duration.ZERO)).isEmpty();

        CompletableFuture<Optional<String>> blocked = blockedTake(() -> queue.get(LONG_GET));
        putAfterFailover(blocked, () -> producer.queue("team:acme:work").put("after the failover"));
        long putAt = System.nanoTime();

        Optional<String> taken = blocked.get(TAKEN_AFTER_PUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - putAt)).isLessThan(TAKEN_AFTER_PUT);
        assertThat(taken).contains("after the failover");
        Queue check = producer.queue("team:acme:work");
        assertThat(check.size()).isZero();
        assertThat(check.get(Duration.ZERO)).isEmpty();
    }

    @Test
    void a_get_whose_shard_stays_without_a_primary_fails_at_its_own_timeout_not_at_the_command_timeout()
            throws Exception {
        Queue queue = worker.queue("team:acme:work");
        assertThat(queue.get(Duration.ZERO)).isEmpty();
        Duration timeout = Duration.ofSeconds(2);
        Shard s0 = cluster.shard("s0");

        // blocked when the shard's nodes die
        long started = System.nanoTime();
        CompletableFuture<Optional<String>> blocked = blockedTake(() -> queue.get(timeout));
        cluster.node(s0.getReplicas(0)).kill();
        cluster.node(s0.getPrimary()).kill();
        assertThatThrownBy(() -> blocked.get(FaultCluster.CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(ThoonkTimeoutException.class)
                .hasMessageContaining("team:acme:work").hasMessageContaining(timeout.toString())
                .hasMessageContaining("the call's own timeout");
        assertWithin(started, timeout);

        // already without a primary when it starts
        long again = System.nanoTime();
        assertThatThrownBy(() -> queue.get(timeout)).isInstanceOf(ThoonkTimeoutException.class)
                .hasMessageContaining("team:acme:work").hasMessageContaining(timeout.toString());
        assertWithin(again, timeout);
    }

    /** Failed at about {@code timeout} after {@code started}: not before it, well before the command timeout. */
    private static void assertWithin(long started, Duration timeout) {
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isGreaterThanOrEqualTo(timeout.minusMillis(100))
                .isLessThan(timeout.plusSeconds(2)).isLessThan(FaultCluster.CALL_TIMEOUT);
    }

    /** Runs {@code take} on a thread of its own, and waits until it blocks on s0's primary (a BLMOVE there). */
    private <T> CompletableFuture<T> blockedTake(Supplier<T> take) {
        RedisProcess primary = cluster.primary("s0");
        CompletableFuture<T> blocked = CompletableFuture.supplyAsync(take, runnable -> {
            Thread thread = new Thread(runnable, "blocked-take");
            thread.setDaemon(true);
            thread.start();
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> primary.call("CLIENT LIST").contains("cmd=blmove"));
        assertThat(blocked).isNotDone();
        return blocked;
    }

    /**
     * Kills s0's primary, waits for the coordinators to promote its replica (the directory's shard
     * epoch goes up), then puts with {@code put}, which must not find the blocked take done yet.
     */
    private <T> T putAfterFailover(CompletableFuture<?> blocked, Supplier<T> put) {
        Shard before = cluster.shard("s0");
        cluster.node(before.getPrimary()).kill();
        await().atMost(FAILOVER).pollInterval(Duration.ofMillis(20))
                .until(() -> cluster.shard("s0").getEpoch() > before.getEpoch());
        assertThat(cluster.shard("s0").getPrimary()).isEqualTo(before.getReplicas(0));
        assertThat(blocked).as("the take blocked before the failover").isNotDone();
        return put.get();
    }
}
