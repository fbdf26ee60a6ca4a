package io.thoonk.coordinator.directory;

import org.slf4j.Logger;

import java.time.Clock;
import java.time.Duration;

/**
 * A warning about something retried in the background, logged at most once per interval: the
 * first occurrence at once, later ones only after the interval has passed on the given clock,
 * saying how many were held back meanwhile. Thread-safe.
 */
final class RateLimitedLog {

    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    private long lastLogged = Long.MIN_VALUE;
    private long heldBack;

    RateLimitedLog(Logger log, Clock clock, Duration interval) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = interval.toMillis();
    }

    /** Logs {@code message} as a warning unless one was logged within the interval; true if logged. */
    synchronized boolean warn(String message) {
        long now = clock.millis();
        if (lastLogged != Long.MIN_VALUE && now - lastLogged < intervalMillis) {
            heldBack++;
            return false;
        }
        if (heldBack > 0) {
            log.warn("{} ({} more like it in the last {} s)", message, heldBack, (now - lastLogged) / 1000);
        } else {
            log.warn(message);
        }
        lastLogged = now;
        heldBack = 0;
        return true;
    }

    /** Forgets the last warning, so the next failure after a recovery is logged at once. */
    synchronized void reset() {
        lastLogged = Long.MIN_VALUE;
        heldBack = 0;
    }
}
