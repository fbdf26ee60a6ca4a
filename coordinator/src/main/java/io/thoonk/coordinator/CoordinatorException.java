package io.thoonk.coordinator;

/**
 * A coordinator operation cannot be done as asked. The one exception type of the coordinator's
 * layers ({@code directory}, {@code shard}, {@code cluster}, {@code placement}): {@link Reason}
 * says why, so the gRPC layer maps it to a status code in one place, and the message says what
 * to do about it.
 *
 * <p>It lives in the root package and depends on nothing, so every layer may throw it; it is the
 * only root type the layers below {@code grpc} refer to.
 */
public class CoordinatorException extends RuntimeException {

    /** Why an operation was refused; each maps to one gRPC status code of the same name. */
    public enum Reason {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        UNAVAILABLE,
        /** Something the operation waited for did not happen in time; the message names it. */
        DEADLINE_EXCEEDED
    }

    private final Reason reason;

    public CoordinatorException(Reason reason, String message) {
        super(message);
        this.reason = java.util.Objects.requireNonNull(reason, "reason == null");
    }

    public CoordinatorException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = java.util.Objects.requireNonNull(reason, "reason == null");
    }

    public Reason reason() {
        return reason;
    }
}
