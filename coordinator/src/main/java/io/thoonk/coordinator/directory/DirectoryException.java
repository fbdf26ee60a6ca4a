package io.thoonk.coordinator.directory;

/**
 * A directory operation cannot be done as asked. {@link Reason} says why, so the gRPC layer can
 * map it to a status code in one place; the message says what to do about it.
 */
public final class DirectoryException extends RuntimeException {

    /** Why an operation was refused. */
    public enum Reason {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        UNAVAILABLE
    }

    private final Reason reason;

    public DirectoryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DirectoryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
