package io.thoonk.client;

/** An object name, item id or pattern is empty, too long or holds a character that is not allowed. */
public final class InvalidNameException extends InvalidArgumentException {

    public InvalidNameException(String message) {
        super(message);
    }
}
