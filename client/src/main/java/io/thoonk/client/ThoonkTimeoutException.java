package io.thoonk.client;

/** A call, blocking or not, did not complete within its deadline ({@link ThoonkOptions#commandTimeout()}). */
public final class ThoonkTimeoutException extends ThoonkException {

    public ThoonkTimeoutException(String message) {
        super(message);
    }
}
