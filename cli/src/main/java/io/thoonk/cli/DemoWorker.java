package io.thoonk.cli;

import io.thoonk.client.Job;
import io.thoonk.client.Jobs;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The demos' job worker: a thread that claims jobs and finishes each with a result until closed,
 * telling {@code onClaim} of each job before it finishes it. Started with {@link #start}, the first
 * failure stops it; with {@link #startResilient}, each failure is reported and it goes on.
 */
final class DemoWorker implements AutoCloseable {

    /**
     * How long one take waits: longer than a failover takes (~0.5 s), so a take waiting when its
     * shard's primary dies rides the promotion instead of timing out; short enough for close.
     */
    private static final Duration POLL = Duration.ofSeconds(1);

    private final Jobs jobs;
    private final Consumer<Job> onClaim;
    /** Null: the first failure stops the worker. */
    private final Consumer<RuntimeException> onFailure;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    private DemoWorker(Jobs jobs, Consumer<Job> onClaim, Consumer<RuntimeException> onFailure) {
        this.jobs = jobs;
        this.onClaim = onClaim;
        this.onFailure = onFailure;
        this.thread = new Thread(this::loop, "thoonk-demo-worker");
        thread.setDaemon(true);
    }

    /** Starts a worker on {@code jobs} that stops at its first failure. */
    static DemoWorker start(Jobs jobs, Consumer<Job> onClaim) {
        return start(new DemoWorker(jobs, onClaim, null));
    }

    /**
     * Starts a worker on {@code jobs} that tells {@code onFailure} of each failure and goes on after
     * a short pause (so a lasting failure does not make it spin).
     */
    static DemoWorker startResilient(Jobs jobs, Consumer<Job> onClaim, Consumer<RuntimeException> onFailure) {
        return start(new DemoWorker(jobs, onClaim, onFailure));
    }

    private static DemoWorker start(DemoWorker worker) {
        worker.thread.start();
        return worker;
    }

    private void loop() {
        while (running) {
            try {
                jobs.get(POLL).ifPresent(this::work);
            } catch (RuntimeException e) {
                if (onFailure == null || !running) {
                    failure = e;
                    running = false;
                } else {
                    onFailure.accept(e);
                    pause();
                }
            }
        }
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            running = false;
        }
    }

    private void work(Job job) {
        onClaim.accept(job);
        jobs.finish(job.id(), "done: " + job.payload());
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
