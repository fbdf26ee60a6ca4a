package io.thoonk.cli;

import io.thoonk.client.Job;
import io.thoonk.client.Jobs;
import io.thoonk.client.ThoonkException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The demos' job worker: a thread that claims jobs and finishes each with a result until closed,
 * telling {@code onClaim} of each job before it finishes it. The first failure stops it.
 */
final class DemoWorker implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Jobs jobs;
    private final Consumer<Job> onClaim;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile ThoonkException failure;

    private DemoWorker(Jobs jobs, Consumer<Job> onClaim) {
        this.jobs = jobs;
        this.onClaim = onClaim;
        this.thread = new Thread(this::loop, "thoonk-demo-worker");
        thread.setDaemon(true);
    }

    /** Starts a worker on {@code jobs}. */
    static DemoWorker start(Jobs jobs, Consumer<Job> onClaim) {
        DemoWorker worker = new DemoWorker(jobs, onClaim);
        worker.thread.start();
        return worker;
    }

    private void loop() {
        while (running) {
            try {
                jobs.get(POLL).ifPresent(this::work);
            } catch (ThoonkException e) {
                failure = e;
                running = false;
            }
        }
    }

    private void work(Job job) {
        onClaim.accept(job);
        jobs.finish(job.id(), "done: " + job.payload());
    }

    /** What stopped the worker, if it failed. */
    Optional<ThoonkException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Stops the worker after its current job; rethrows what made it fail, if anything. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(POLL.multipliedBy(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
