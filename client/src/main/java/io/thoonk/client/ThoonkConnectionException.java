package io.thoonk.client;

/**
 * Redis or the coordinators could not be reached, the connection failed while a command was in
 * flight, or too many calls already wait for an unresponsive shard ({@link ThoonkOptions#maxQueuedCalls()}).
 */
public final class ThoonkConnectionException extends ThoonkException {

    public ThoonkConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
