package io.thoonk.client;

/**
 * A name, id, item, pattern or setting was refused before anything was sent to Redis, so nothing
 * was written. The message names the argument, the value's problem and what is allowed.
 */
public class InvalidArgumentException extends ThoonkException {

    public InvalidArgumentException(String message) {
        super(message);
    }
}
