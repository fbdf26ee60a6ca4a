package io.thoonk.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Latency samples in nanoseconds, recorded by one writer at a time (publish them to a reader
 * through a volatile or a join), summarised into percentiles in microseconds.
 */
final class Latencies {

    private long[] samples = new long[1 << 14];
    private int count;

    void record(long nanos) {
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = nanos;
    }

    int count() {
        return count;
    }

    /** Adds every sample of {@code other}. */
    void addAll(Latencies other) {
        for (int i = 0; i < other.count; i++) {
            record(other.samples[i]);
        }
    }

    /** The percentiles of these samples in microseconds, as metrics named {@code "<prefix>p50 µs"} etc. */
    void addPercentiles(Metrics metrics, String prefix, double... percentiles) {
        long[] sorted = Stats.sortedCopy(samples, count);
        for (double p : percentiles) {
            String label = p == 100 ? "max" : "p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p));
            metrics.put(prefix + label + " µs", micros(Stats.percentile(sorted, count, p)));
        }
    }

    private static double micros(long nanos) {
        return nanos / (double) TimeUnit.MICROSECONDS.toNanos(1);
    }
}
