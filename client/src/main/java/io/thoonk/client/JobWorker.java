package io.thoonk.client;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a {@link Handler} on the jobs of one queue with N concurrent threads.
 *
 * <p>For each claimed job: a normal return finishes it (with the returned result, if not null);
 * an exception cancels it, which counts a failure and makes it available again, or stalls it once
 * the queue's {@code max_attempts} is used up. While a handler runs, the worker touches its claim
 * every {@linkplain Builder#heartbeat heartbeat} so a long job does not time out, and it sweeps
 * timed-out claims of crashed workers every {@linkplain Builder#sweepInterval sweep interval}.
 *
 * <p>{@link #close()} is graceful: it stops claiming, lets running handlers finish within the
 * grace period, then interrupts the rest and gives their jobs back ({@link Jobs#release}) without
 * counting a failure. No claimed job is left behind by a worker that closes.
 */
public final class JobWorker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);

    /** Does one job. Return the result to keep and announce, or null for none; throw to fail it. */
    @FunctionalInterface
    public interface Handler {
        String handle(Job job) throws Exception;
    }

    private enum State { LATENT, STARTED, CLOSED }

    private final Jobs jobs;
    private final Handler handler;
    private final int concurrency;
    private final Duration pollTimeout;
    private final Duration heartbeat;
    private final Duration sweepInterval;
    private final Duration shutdownGrace;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Map<Thread, String> running = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong finished = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ScheduledExecutorService timer;

    private JobWorker(Builder b) {
        this.jobs = b.jobs;
        this.handler = b.handler;
        this.concurrency = b.concurrency;
        this.pollTimeout = b.pollTimeout;
        this.heartbeat = b.heartbeat;
        this.sweepInterval = b.sweepInterval;
        this.shutdownGrace = b.shutdownGrace;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thoonk-worker-timer-" + jobs.name());
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder(Jobs jobs, Handler handler) {
        return new Builder(jobs, handler);
    }

    /** Starts the threads; once only. */
    public JobWorker start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("a JobWorker can be started only once");
        }
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(this::loop, "thoonk-worker-" + jobs.name() + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        if (!heartbeat.isZero()) {
            timer.scheduleWithFixedDelay(this::touchRunning, heartbeat.toMillis(), heartbeat.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (!sweepInterval.isZero()) {
            timer.scheduleWithFixedDelay(this::sweep, sweepInterval.toMillis(), sweepInterval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Jobs finished by this worker so far. */
    public long finishedCount() {
        return finished.get();
    }

    /** Jobs whose handler threw so far. */
    public long failedCount() {
        return failed.get();
    }

    private void loop() {
        while (state.get() == State.STARTED) {
            Job job;
            try {
                job = jobs.get(pollTimeout).orElse(null);
            } catch (ThoonkException e) {
                if (state.get() == State.STARTED) {
                    log.warn("claiming from {} failed, retrying: {}", jobs.name(), e.getMessage());
                }
                continue;
            }
            if (job == null) {
                continue;
            }
            if (state.get() != State.STARTED) {
                jobs.release(job.id());
                return;
            }
            run(job);
        }
    }

    private void run(Job job) {
        Thread self = Thread.currentThread();
        running.put(self, job.id());
        try {
            String result = handler.handle(job);
            running.remove(self);
            if (result == null) {
                jobs.finish(job.id());
            } else {
                jobs.finish(job.id(), result);
            }
            finished.incrementAndGet();
        } catch (InterruptedException e) {
            running.remove(self);
            giveBack(job);
        } catch (Exception | Error e) {
            running.remove(self);
            if (state.get() == State.CLOSED && Thread.interrupted()) {
                giveBack(job);
                return;
            }
            failed.incrementAndGet();
            log.debug("job {} of {} failed", job.id(), jobs.name(), e);
            try {
                jobs.cancel(job.id());
            } catch (ThoonkException c) {
                log.warn("could not cancel failed job {} of {}: {}", job.id(), jobs.name(), c.getMessage());
            }
        } finally {
            running.remove(self);
        }
    }

    private void giveBack(Job job) {
        Thread.interrupted();
        try {
            jobs.release(job.id());
        } catch (ThoonkException e) {
            log.warn("could not release job {} of {}: {}", job.id(), jobs.name(), e.getMessage());
        }
    }

    private void touchRunning() {
        for (String id : running.values()) {
            try {
                jobs.touch(id);
            } catch (ThoonkException e) {
                log.debug("heartbeat for job {} failed: {}", id, e.getMessage());
            }
        }
    }

    private void sweep() {
        try {
            jobs.sweep();
        } catch (ThoonkException e) {
            log.debug("sweep of {} failed: {}", jobs.name(), e.getMessage());
        }
    }

    /** Graceful stop; see the class description. Idempotent. */
    @Override
    public void close() {
        State previous = state.getAndSet(State.CLOSED);
        if (previous == State.CLOSED) {
            return;
        }
        timer.shutdownNow();
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        for (Thread t : threads) {
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            try {
                t.join(pollTimeout.toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Configures a {@link JobWorker}. */
    public static final class Builder {
        private final Jobs jobs;
        private final Handler handler;
        private int concurrency = 1;
        private Duration pollTimeout = Duration.ofSeconds(1);
        private Duration heartbeat = Duration.ZERO;
        private Duration sweepInterval = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(10);

        private Builder(Jobs jobs, Handler handler) {
            this.jobs = Objects.requireNonNull(jobs, "jobs == null");
            this.handler = Objects.requireNonNull(handler, "handler == null");
        }

        /** Concurrent handlers (threads); default 1. */
        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new InvalidArgumentException("concurrency must be >= 1, was " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        /** How long one claim attempt waits for a job; bounds how quickly close() is noticed. Default 1 s. */
        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = positive("pollTimeout", pollTimeout);
            return this;
        }

        /** Touch running jobs this often (keep below the queue's timeout_ms); zero = never (default). */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = nonNegative("heartbeat", heartbeat);
            return this;
        }

        /** Sweep timed-out claims this often; zero = never. Default 1 s. */
        public Builder sweepInterval(Duration sweepInterval) {
            this.sweepInterval = nonNegative("sweepInterval", sweepInterval);
            return this;
        }

        /** How long close() lets running handlers finish before interrupting them. Default 10 s. */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = nonNegative("shutdownGrace", shutdownGrace);
            return this;
        }

        public JobWorker build() {
            return new JobWorker(this);
        }

        private static Duration nonNegative(String what, Duration d) {
            Objects.requireNonNull(d, what + " == null");
            if (d.isNegative()) {
                throw new InvalidArgumentException(what + " must be >= 0, was " + d);
            }
            return d;
        }

        private static Duration positive(String what, Duration d) {
            if (nonNegative(what, d).isZero()) {
                throw new InvalidArgumentException(what + " must be > 0");
            }
            return d;
        }
    }
}
