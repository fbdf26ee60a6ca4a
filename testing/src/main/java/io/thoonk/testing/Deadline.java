package io.thoonk.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waiting with a deadline, for fixture code that cannot use Awaitility (it also runs in
 * {@code thoonk dev} and the benchmarks): {@link #await} polls a condition until it holds or the
 * deadline passes, then fails with a {@link FixtureTimeoutException} saying what did not happen.
 * Tests keep using Awaitility for their own assertions.
 */
public final class Deadline {

    /** How often {@link #await} asks again. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(10);

    private final long deadlineNanos;
    private final Duration timeout;

    private Deadline(Duration timeout) {
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** A deadline {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout == null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        return new Deadline(timeout);
    }

    /**
     * Polls {@code condition} until it is true; fails with "{@code what} within {@code timeout}"
     * once the deadline passes. A condition that throws fails the wait at once.
     *
     * @throws FixtureTimeoutException when the deadline passes first
     * @throws FixtureException        when the waiting thread is interrupted (its flag is set again)
     */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        after(timeout).await(() -> what, condition);
    }

    /** Like {@link #await(Duration, String, BooleanSupplier)}, against this deadline. */
    public void await(Supplier<String> what, BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            if (expired()) {
                throw new FixtureTimeoutException(what.get(), timeout);
            }
            pause(what);
        }
    }

    /** True once the deadline has passed. */
    public boolean expired() {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /** Time left, zero once expired. */
    public Duration remaining() {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    /** The whole timeout this deadline was made with. */
    public Duration timeout() {
        return timeout;
    }

    private static void pause(Supplier<String> what) {
        try {
            Thread.sleep(POLL_INTERVAL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while waiting for: " + what.get(), e);
        }
    }

    /** Work for {@link #runWithin}. */
    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /**
     * Runs {@code work} on a daemon thread of its own and waits for it at most {@code timeout}: for
     * library calls that block without a deadline of their own (an embedded server's start or stop).
     * On timeout the thread is interrupted and left to finish in the background.
     *
     * @throws FixtureTimeoutException if it does not finish in time ({@code what} "did not finish")
     * @throws FixtureException        if it fails (its exception is the cause)
     */
    static void runWithin(Duration timeout, String what, Work work) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "thoonk-fixture: " + what);
        thread.setDaemon(true);
        thread.start();
        try {
            done.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            thread.interrupt();
            throw new FixtureTimeoutException(what + " did not finish", timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof FixtureException f ? f : new FixtureException(what + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while waiting for: " + what, e);
        }
    }

    /** {@code 250 ms}, {@code 20 s}, {@code 1.5 s}: short, for messages. */
    static String format(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
