package io.thoonk.client;

/** Redis could not be reached or the connection failed while a command was in flight. */
public final class ThoonkConnectionException extends ThoonkException {

    public ThoonkConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
