package io.thoonk.bench;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Keeps a fixed number of asynchronous operations in flight for a while: each completion starts the
 * next operation (on the thread that completed it, normally the Redis connection's event loop), so
 * the window stays full without a producer thread, and every side measured this way pays the same.
 */
final class InFlight {

    /** What a run did: operations completed and the time until the last one completed. */
    record Outcome(long completed, long elapsedNanos) {
        double perSecond() {
            return completed * 1e9 / elapsedNanos;
        }
    }

    private final Supplier<? extends CompletionStage<?>> operation;
    private final LongAdder completed = new LongAdder();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private CountDownLatch lanes;
    private long deadline;

    private InFlight(Supplier<? extends CompletionStage<?>> operation) {
        this.operation = operation;
    }

    /** Runs {@code operation} with {@code window} in flight for {@code seconds}; fails on the first error. */
    static Outcome run(int window, double seconds, Supplier<? extends CompletionStage<?>> operation)
            throws InterruptedException {
        return new InFlight(operation).drive(window, seconds);
    }

    private Outcome drive(int window, double seconds) throws InterruptedException {
        lanes = new CountDownLatch(window);
        long start = System.nanoTime();
        deadline = start + (long) (seconds * 1e9);
        for (int i = 0; i < window; i++) {
            next();
        }
        if (!lanes.await((long) seconds + 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("operations still in flight 60 s after the end of the run");
        }
        long elapsed = System.nanoTime() - start;
        if (failure.get() != null) {
            throw new IllegalStateException("an operation failed: " + failure.get(), failure.get());
        }
        return new Outcome(completed.sum(), elapsed);
    }

    private void next() {
        if (failure.get() != null || System.nanoTime() - deadline >= 0) {
            lanes.countDown();
            return;
        }
        CompletionStage<?> stage;
        try {
            stage = operation.get();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
            lanes.countDown();
            return;
        }
        stage.whenComplete((value, error) -> {
            if (error != null) {
                failure.compareAndSet(null, error);
            } else {
                completed.increment();
            }
            next();
        });
    }
}
