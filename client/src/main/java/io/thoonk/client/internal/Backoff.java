package io.thoonk.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between retries: doubling from {@code initial} up to {@code max}, each shifted by up to
 * a fifth either way so that many clients do not retry in step, and back to {@code initial} after
 * {@link #reset()} (a success). Not thread-safe: one retry loop owns it.
 */
final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private long nextNanos;

    Backoff(Duration initial, Duration max) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = initialNanos;
    }

    /** The delay before the next retry; each call doubles the following one, up to the cap. */
    Duration next() {
        long base = nextNanos;
        nextNanos = Math.min(maxNanos, base * 2);
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base * jitter));
    }

    void reset() {
        nextNanos = initialNanos;
    }

    Duration max() {
        return Duration.ofNanos(maxNanos);
    }
}
