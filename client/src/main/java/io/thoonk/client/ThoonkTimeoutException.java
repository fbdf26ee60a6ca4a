package io.thoonk.client;

/**
 * A call, blocking or not, did not complete within its deadline ({@link ThoonkOptions#commandTimeout()}).
 * A write that timed out may still have been applied; {@link WriteOutcomeUnknownException} says so
 * explicitly where the client knows the write reached Redis.
 */
public class ThoonkTimeoutException extends ThoonkException {

    public ThoonkTimeoutException(String message) {
        super(message);
    }
}
