package io.thoonk.bench;

import io.thoonk.testing.Deadline;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * The failover and move benchmarks' client load: writes 0, 1, 2, ... to a {@link FailoverTarget} (or
 * any asynchronous write) at a fixed
 * rate on one thread (open loop: the next write goes out on schedule whether or not earlier ones were
 * answered, as an application producing events does), and records when each was issued and when it
 * was acknowledged. A fixed rate, rather than as fast as the connection allows, makes the systems'
 * figures comparable: the same writes are in flight during every outage, and a lost-write count
 * means the same thing for each.
 *
 * <p>Thread-safety: {@link #start} and {@link #stop} from one thread; the queries from any thread
 * (acknowledgements are recorded by the client's threads).
 */
final class PacedWriter {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final IntFunction<? extends CompletionStage<?>> writes;
    private final long intervalNanos;
    private final long[] issuedAt;
    /** Acknowledgement time of each write, 0 until acknowledged. */
    private final AtomicLongArray ackedAt;
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int issued;
    private volatile int highestAcked = -1;
    private volatile boolean stopping;
    private volatile RuntimeException failure;
    private Thread thread;

    /** {@code capacity}: the most writes one round may issue (the writer stops there and says so). */
    PacedWriter(FailoverTarget target, int perSecond, int capacity) {
        this(target::write, perSecond, capacity);
    }

    /**
     * Writes with {@code writes}: given 0, 1, 2, ..., it sends that write without blocking and returns
     * a stage that completes when it is acknowledged (exceptionally when it fails).
     */
    PacedWriter(IntFunction<? extends CompletionStage<?>> writes, int perSecond, int capacity) {
        if (perSecond <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("rate and capacity must be positive, were " + perSecond + ", " + capacity);
        }
        this.writes = writes;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.issuedAt = new long[capacity];
        this.ackedAt = new AtomicLongArray(capacity);
    }

    void start() {
        thread = new Thread(this::loop, "failover-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        long next = System.nanoTime();
        int i = 0;
        try {
            while (!stopping) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                if (i == issuedAt.length) {
                    throw new IllegalStateException("the writer reached its capacity of " + issuedAt.length
                            + " writes in one round: the round ran much longer than expected");
                }
                issue(i++);
                next += intervalNanos;
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void issue(int i) {
        issuedAt[i] = System.nanoTime();
        issued = i + 1;
        CompletionStage<?> stage;
        try {
            stage = writes.apply(i);
        } catch (RuntimeException e) {
            complete(i, e);
            return;
        }
        stage.whenComplete((ok, e) -> complete(i, e));
    }

    private void complete(int i, Throwable error) {
        if (error == null) {
            ackedAt.set(i, System.nanoTime());
            acked.incrementAndGet();
            synchronized (this) {
                if (i > highestAcked) {
                    highestAcked = i;
                }
            }
        } else {
            failed.incrementAndGet();
        }
        completed.incrementAndGet();
    }

    /** Stops issuing writes; returns once the writer thread has ended. */
    void stop() throws InterruptedException {
        stopping = true;
        thread.join(STOP_TIMEOUT.toMillis());
        if (thread.isAlive()) {
            throw new IllegalStateException("the failover writer did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Fails at once if the writer thread has failed. */
    private void check() {
        if (failure != null) {
            throw failure;
        }
    }

    /** Waits until {@code count} writes have been acknowledged. */
    void awaitAcked(int count, Duration timeout, String what) {
        Deadline.await(timeout, what, () -> {
            check();
            return acked.get() >= count;
        });
    }

    /** Waits until a write issued after write {@code index} is acknowledged. */
    void awaitAckedAfter(int index, Duration timeout, String what) {
        Deadline.await(timeout, what, () -> {
            check();
            return highestAcked > index;
        });
    }

    /** Waits until every issued write is acknowledged or failed (after {@link #stop}). */
    void awaitCompleted(Duration timeout) {
        Deadline.await(timeout, "the last writes did not complete", () -> completed.get() >= issued);
    }

    /** How many writes were issued so far. */
    int issued() {
        return issued;
    }

    int acknowledged() {
        return acked.get();
    }

    /** Writes that failed: refused, broken connection, timed out (outcome unknown). */
    int failed() {
        return failed.get();
    }

    long issuedAt(int i) {
        return issuedAt[i];
    }

    /** When write {@code i} was acknowledged ({@link System#nanoTime()}), 0 if it was not. */
    long ackedAt(int i) {
        return ackedAt.get(i);
    }
}
