package io.thoonk.client;

/**
 * Root of every error the Thoonk client raises. Unchecked, like Lettuce's and gRPC's errors;
 * subtypes say precisely what went wrong so callers can react to one case without parsing text.
 */
public class ThoonkException extends RuntimeException {

    public ThoonkException(String message) {
        super(message);
    }

    public ThoonkException(String message, Throwable cause) {
        super(message, cause);
    }
}
