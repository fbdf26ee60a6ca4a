package io.thoonk.testing;

import java.time.Duration;

/**
 * A fixture's deadline passed: a server did not answer, a replica did not link to its primary, a
 * process did not exit, no coordinator became leader. Every start, stop and wait of the fixtures
 * has such a deadline; none waits forever.
 */
public class FixtureTimeoutException extends FixtureException {

    private final Duration timeout;

    public FixtureTimeoutException(String what, Duration timeout) {
        super(what + " within " + Deadline.format(timeout));
        this.timeout = timeout;
    }

    /** The deadline that passed. */
    public Duration timeout() {
        return timeout;
    }
}
