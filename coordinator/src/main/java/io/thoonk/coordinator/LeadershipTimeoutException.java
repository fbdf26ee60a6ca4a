package io.thoonk.coordinator;

/**
 * No coordinator of those waited for became leader in time ({@link Coordinator#awaitLeadership},
 * {@link Coordinator#awaitLeader}). The message names the coordinators waited for, the time
 * waited, and the leader known at the end, if any.
 */
public final class LeadershipTimeoutException extends CoordinatorException {

    LeadershipTimeoutException(String message) {
        super(Reason.DEADLINE_EXCEEDED, message);
    }
}
