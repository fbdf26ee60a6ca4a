package io.thoonk.coordinator.directory;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The background-failure warning, driven by a clock the test moves. */
class RateLimitedLogTest {

    /** A clock that moves only when told. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void repeats_within_the_interval_are_held_back_and_a_recovery_logs_the_next_failure_at_once() {
        ManualClock clock = new ManualClock();
        RateLimitedLog warnings = new RateLimitedLog(LoggerFactory.getLogger(RateLimitedLogTest.class), clock,
                Duration.ofSeconds(30));

        assertThat(warnings.warn("first")).isTrue();
        clock.advance(Duration.ofSeconds(10));
        assertThat(warnings.warn("again")).isFalse();
        clock.advance(Duration.ofSeconds(19));
        assertThat(warnings.warn("again")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(warnings.warn("after the interval")).isTrue();
        assertThat(warnings.warn("right after")).isFalse();

        warnings.reset();
        assertThat(warnings.warn("a new failure after a recovery")).isTrue();
    }
}
