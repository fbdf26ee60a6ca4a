package io.thoonk.client;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class JobsTest extends ClientTestSupport {

    Jobs jobs;

    @BeforeEach
    void setUp() {
        jobs = thoonk.jobs("team:4:render");
    }

    @Test
    void put_claim_finish_with_result_event_and_kept_result() {
        EventRecorder events = new EventRecorder();
        jobs.subscribe(events);
        Published put = jobs.put("frame-1");
        assertThat(jobs.state(put.id())).isEqualTo(JobState.QUEUED);

        Job job = jobs.get(Duration.ofSeconds(1)).orElseThrow();
        assertThat(job).isEqualTo(new Job(put.id(), "frame-1", 0));
        assertThat(jobs.state(job.id())).isEqualTo(JobState.CLAIMED);
        assertThat(jobs.list(JobState.CLAIMED)).containsExactly(job.id());

        jobs.finish(job.id(), "done.png");
        assertThat(jobs.state(job.id())).isEqualTo(JobState.FINISHED);
        assertThat(jobs.result(job.id())).contains("done.png");
        assertThat(jobs.awaitResult(job.id(), Duration.ofMillis(100))).contains("done.png");
        assertThat(events.awaitCount(3)).extracting(Event::type)
                .containsExactly(EventType.PUBLISH, EventType.CLAIM, EventType.FINISH);
        assertThat(events.events.get(2).item()).isEqualTo("done.png");
        assertThat(redis.primary().call("GET feed.finishes:team:4:render")).isEqualTo("1");
        assertThat(redis.primary().call("EXISTS feed.items:team:4:render")).isEqualTo("0");
    }

    @Test
    void every_job_and_queue_change_is_an_event_with_the_next_revision() {
        EventRecorder events = new EventRecorder();
        jobs.subscribe(events);
        String id = jobs.put("p").id();
        jobs.get(Duration.ZERO).orElseThrow();
        jobs.cancel(id);
        jobs.get(Duration.ZERO).orElseThrow();
        jobs.stall(id);
        jobs.retry(id);
        jobs.get(Duration.ZERO).orElseThrow();
        jobs.release(id);
        jobs.get(Duration.ZERO).orElseThrow();
        jobs.finish(id);
        String other = jobs.put("q").id();
        jobs.retract(other);
        events.awaitCount(12);
        assertThat(events.types()).containsExactly(EventType.PUBLISH, EventType.CLAIM, EventType.CANCEL,
                EventType.CLAIM, EventType.STALL, EventType.RETRY, EventType.CLAIM, EventType.RELEASE, EventType.CLAIM,
                EventType.FINISH, EventType.PUBLISH, EventType.RETRACT);
        assertThat(events.revisions()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
        assertThat(events.events.get(2).item()).as("failure count").isEqualTo("1");

        Queue queue = thoonk.queue("team:4:q");
        EventRecorder queueEvents = new EventRecorder();
        queue.subscribe(queueEvents);
        String item = queue.put("x").id();
        queue.get(Duration.ZERO);
        assertThat(queueEvents.awaitCount(2)).extracting(e -> e.type() + " " + e.id() + " " + e.revision())
                .containsExactly("PUBLISH " + item + " 1", "TAKE " + item + " 2");
    }

    @Test
    void high_priority_first_and_ids_of_caller() {
        jobs.put("low-1", "a", Priority.NORMAL);
        jobs.put("low-2", "b", Priority.NORMAL);
        jobs.put("urgent", "c", Priority.HIGH);
        assertThat(jobs.list(JobState.QUEUED)).containsExactly("c", "a", "b");
        assertThatThrownBy(() -> jobs.put("dup", "a", Priority.NORMAL))
                .isInstanceOf(JobStateException.class).hasMessageContaining("already exists");
        assertThat(jobs.get(Duration.ZERO).orElseThrow().id()).isEqualTo("c");
    }

    @Test
    void cancel_counts_failures_stall_and_retry() {
        String id = jobs.put("flaky").id();
        jobs.get(Duration.ZERO).orElseThrow();
        jobs.cancel(id);
        assertThat(jobs.failures(id)).isEqualTo(1);
        Job again = jobs.get(Duration.ZERO).orElseThrow();
        assertThat(again.failures()).isEqualTo(1);

        jobs.stall(id);
        assertThat(jobs.state(id)).isEqualTo(JobState.STALLED);
        assertThat(jobs.get(Duration.ZERO)).isEmpty();
        assertThatThrownBy(() -> jobs.finish(id)).isInstanceOf(JobStateException.class).hasMessageContaining("not claimed");

        jobs.retry(id);
        assertThat(jobs.state(id)).isEqualTo(JobState.QUEUED);
        assertThatThrownBy(() -> jobs.retry(id)).isInstanceOf(JobStateException.class).hasMessageContaining("not stalled");
        assertThat(jobs.retract(id)).isTrue();
        assertThat(jobs.state(id)).isEqualTo(JobState.UNKNOWN);
        assertThatThrownBy(() -> jobs.finish(id)).isInstanceOf(NoSuchItemException.class);
        assertThatThrownBy(() -> jobs.cancel("never")).isInstanceOf(NoSuchItemException.class);
    }

    @Test
    void silent_worker_claim_times_out_and_the_retry_limit_stalls_it() {
        thoonk.registry().create(jobs.name(), ObjectType.JOB, Map.of("timeout_ms", "200", "max_attempts", "2"));
        String id = jobs.put("job").id();

        // A worker claims it and dies: nobody finishes, cancels or touches.
        jobs.get(Duration.ZERO).orElseThrow();
        assertThat(jobs.sweep()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.sweep() == 1);
        assertThat(jobs.state(id)).isEqualTo(JobState.QUEUED);
        assertThat(jobs.failures(id)).isEqualTo(1);
        assertThat(jobs.sweep()).as("idempotent").isZero();

        // Second attempt also goes silent: that was the last allowed attempt, so it stalls.
        Job second = jobs.get(Duration.ZERO).orElseThrow();
        assertThat(second.failures()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> jobs.sweep() == 1);
        assertThat(jobs.state(id)).isEqualTo(JobState.STALLED);
        assertThat(jobs.get(Duration.ZERO)).isEmpty();
    }

    @Test
    void touch_keeps_a_long_job_claimed() {
        thoonk.registry().create(jobs.name(), ObjectType.JOB, Map.of("timeout_ms", "300"));
        String id = jobs.put("long").id();
        jobs.get(Duration.ZERO).orElseThrow();
        // Touching every 100 ms for 900 ms (three timeouts): the sweep never finds it expired.
        await().pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3))
                .until(() -> {
                    jobs.touch(id);
                    return jobs.sweep() == 0;
                });
        assertThat(jobs.state(id)).isEqualTo(JobState.CLAIMED);
    }

    @Test
    void a_submitter_not_listening_at_finish_time_still_gets_the_result() throws Exception {
        String id = jobs.put("compute").id();
        var waiting = jobs.async().awaitResult(id, Duration.ofSeconds(10)).toCompletableFuture();
        Job job = jobs.get(Duration.ofSeconds(1)).orElseThrow();
        jobs.finish(job.id(), "42");
        assertThat(waiting.get(5, TimeUnit.SECONDS)).contains("42");

        // Later, from another client that was never subscribed.
        try (Thoonk late = Thoonk.connect(redis.primaryUri())) {
            assertThat(late.jobs(jobs.name()).awaitResult(id, Duration.ofSeconds(1))).contains("42");
        }
    }

    @Test
    void worker_finishes_retries_failures_and_stalls_after_max_attempts() {
        thoonk.registry().create(jobs.name(), ObjectType.JOB, Map.of("max_attempts", "3"));
        AtomicInteger poisonAttempts = new AtomicInteger();
        JobWorker.Handler handler = job -> {
            if (job.payload().equals("poison")) {
                poisonAttempts.incrementAndGet();
                throw new IllegalStateException("cannot process poison");
            }
            return job.payload().toUpperCase();
        };
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(jobs.put("job-" + i).id());
        }
        String poison = jobs.put("poison").id();
        try (JobWorker worker = JobWorker.builder(jobs, handler).concurrency(4).pollTimeout(Duration.ofMillis(200))
                .build().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.finishedCount() == 20
                    && jobs.state(poison) == JobState.STALLED);
            assertThat(worker.failedCount()).isEqualTo(3);
        }
        assertThat(poisonAttempts).hasValue(3);
        for (int i = 0; i < 20; i++) {
            assertThat(jobs.result(ids.get(i))).contains("JOB-" + i);
        }
    }

    @Test
    void worker_thread_dying_mid_job_leaves_it_to_the_timeout_and_another_worker_finishes_it() {
        thoonk.registry().create(jobs.name(), ObjectType.JOB, Map.of("timeout_ms", "300"));
        String id = jobs.put("work").id();
        CountDownLatch started = new CountDownLatch(1);
        Thread doomed = new Thread(() -> {
            jobs.get(Duration.ofSeconds(1)).orElseThrow();
            started.countDown();
            throw new Error("worker crashed"); // the thread dies without finishing or cancelling
        });
        doomed.setUncaughtExceptionHandler((t, e) -> { });
        doomed.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> started.getCount() == 0 && !doomed.isAlive());
        assertThat(jobs.state(id)).isEqualTo(JobState.CLAIMED);

        Set<String> done = ConcurrentHashMap.newKeySet();
        try (JobWorker rescuer = JobWorker.builder(jobs, job -> {
            done.add(job.id());
            return "rescued";
        }).pollTimeout(Duration.ofMillis(100)).sweepInterval(Duration.ofMillis(100)).build().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> jobs.state(id) == JobState.FINISHED);
        }
        assertThat(done).containsExactly(id);
        assertThat(jobs.result(id)).contains("rescued");
        assertThat(jobs.failures(id)).isZero();
    }

    @Test
    void graceful_shutdown_returns_unfinished_claims_without_counting_failures() throws Exception {
        String id = jobs.put("slow").id();
        CountDownLatch inHandler = new CountDownLatch(1);
        JobWorker worker = JobWorker.builder(jobs, job -> {
            inHandler.countDown();
            new CountDownLatch(1).await(); // blocks until interrupted by close()
            return "never";
        }).pollTimeout(Duration.ofMillis(100)).shutdownGrace(Duration.ofMillis(200)).build().start();
        assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(jobs.state(id)).isEqualTo(JobState.CLAIMED);
        worker.close();
        assertThat(jobs.state(id)).isEqualTo(JobState.QUEUED);
        assertThat(jobs.failures(id)).isZero();
        assertThat(jobs.list(JobState.CLAIMED)).isEmpty();
    }
}
