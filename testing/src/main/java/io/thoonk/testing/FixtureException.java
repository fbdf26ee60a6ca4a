package io.thoonk.testing;

/**
 * A fixture could not start, stop or signal one of its processes or servers. The message names the
 * process (e.g. {@code redis-server[127.0.0.1:6390]}), what was tried, and where its log is when
 * there is one. Unchecked: a test or tool cannot recover from a fixture that does not run.
 */
public class FixtureException extends IllegalStateException {

    public FixtureException(String message) {
        super(message);
    }

    public FixtureException(String message, Throwable cause) {
        super(message, cause);
    }
}
