package io.thoonk.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fixed number of threads, each calling the same blocking operation in a loop for a while (the
 * next call as soon as the previous one returned); every call's {@code System.nanoTime} duration
 * is one latency sample. The job and the Resolve benchmarks drive their variants with this.
 */
final class ClosedLoop {

    /** One blocking call; the same instance runs on every thread at once. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /** What a run did: every call's duration, and the time until the last thread stopped. */
    record Outcome(Latencies latencies, long elapsedNanos) {
        double perSecond() {
            return latencies.count() * 1e9 / elapsedNanos;
        }
    }

    private ClosedLoop() {
    }

    /** Runs {@code call} on {@code threads} threads for {@code seconds}; fails on the first error. */
    static Outcome run(int threads, double seconds, String threadName, Call call) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Latencies> samples = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        long[] deadline = new long[1];
        for (int i = 0; i < threads; i++) {
            Latencies mine = new Latencies();
            samples.add(mine);
            workers.add(new Thread(() -> {
                try {
                    start.await();
                    long end = deadline[0];
                    while (failure.get() == null && System.nanoTime() - end < 0) {
                        long t0 = System.nanoTime();
                        call.run();
                        mine.record(System.nanoTime() - t0);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, threadName + "-" + i));
        }
        workers.forEach(Thread::start);
        long t0 = System.nanoTime();
        deadline[0] = t0 + (long) (seconds * 1e9);
        start.countDown(); // publishes deadline[0] to the workers
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis((long) seconds + 60));
            if (t.isAlive()) {
                failure.compareAndSet(null, new IllegalStateException(t.getName() + " still busy 60 s after the end"));
            }
        }
        long elapsed = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
        }
        Latencies all = new Latencies();
        samples.forEach(all::addAll); // each thread's samples, visible after its join
        return new Outcome(all, elapsed);
    }
}
