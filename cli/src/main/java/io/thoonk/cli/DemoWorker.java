package io.thoonk.cli;

import io.thoonk.client.Job;
import io.thoonk.client.Jobs;
import io.thoonk.client.ThoonkException;
import io.thoonk.cli.Views.Note;

import java.time.Duration;

/** The demo's job worker: a thread that claims jobs and finishes each with a result until closed. */
final class DemoWorker implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Jobs jobs;
    private final Printer printer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile ThoonkException failure;

    private DemoWorker(Jobs jobs, Printer printer) {
        this.jobs = jobs;
        this.printer = printer;
        this.thread = new Thread(this::loop, "thoonk-demo-worker");
        thread.setDaemon(true);
    }

    /** Starts a worker on {@code jobs}. */
    static DemoWorker start(Jobs jobs, Printer printer) {
        DemoWorker worker = new DemoWorker(jobs, printer);
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
        printer.print(new Note("  worker: claimed job " + job.id() + " (" + job.payload() + "), finishing it"));
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
