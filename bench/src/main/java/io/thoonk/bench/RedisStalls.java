package io.thoonk.bench;

import io.thoonk.testing.RedisProcess;

import java.util.List;
import java.util.Locale;

/**
 * How long a {@code redis-server} stalled: its latency monitor ({@code latency-monitor-threshold}
 * {@value #THRESHOLD_MS} ms, so every event that took a millisecond or more is recorded), reset at the
 * start of a window and read at its end with {@code LATENCY LATEST}, whose last column is each event's
 * longest latency since the reset. The events are Redis's own: {@code command} (a command, script
 * calls included), {@code fast-command}, {@code expire-cycle}, {@code eviction-*} and so on.
 */
final class RedisStalls {

    static final int THRESHOLD_MS = 1;

    /** The longest stall of a window: its length in ms (0: nothing reached the threshold) and its event. */
    record Longest(double millis, String event) {

        static final Longest NONE = new Longest(0, "none");

        /** E.g. {@code command 1,912 ms}, or {@code none} (nothing of 1 ms or more). */
        String text() {
            return millis == 0 ? "none" : event + " " + Report.number(millis) + " ms";
        }
    }

    private RedisStalls() {
    }

    /** Turns the latency monitor on and starts a window. */
    static void enable(RedisProcess redis) {
        redis.call("CONFIG SET latency-monitor-threshold " + THRESHOLD_MS);
        reset(redis);
    }

    /** Starts a window: forgets every event recorded so far. */
    static void reset(RedisProcess redis) {
        redis.call("LATENCY RESET");
    }

    /** The longest event since the last {@link #reset}. */
    static Longest longest(RedisProcess redis) {
        String reply = redis.call("LATENCY LATEST");
        if (reply == null || reply.isEmpty()) {
            return Longest.NONE;
        }
        // each event is [name, unix time of the latest, latest ms, longest ms], flattened by the fixture
        List<String> fields = reply.lines().toList();
        if (fields.size() % 4 != 0) {
            throw new IllegalStateException(redis + " answered LATENCY LATEST with " + fields.size()
                    + " fields, not 4 per event: " + fields);
        }
        Longest longest = Longest.NONE;
        for (int i = 0; i < fields.size(); i += 4) {
            double max = Double.parseDouble(fields.get(i + 3).trim());
            if (max > longest.millis()) {
                longest = new Longest(max, fields.get(i));
            }
        }
        return longest;
    }

    /** {@code source: <longest>; target: <longest>}, for the raw rounds. */
    static String describe(Longest source, Longest target) {
        return String.format(Locale.ROOT, "source: %s; target: %s", source.text(), target.text());
    }
}
