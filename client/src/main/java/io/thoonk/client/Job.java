package io.thoonk.client;

/**
 * A job claimed by a worker. The worker must {@link Jobs#finish finish}, {@link Jobs#cancel cancel}
 * or {@link Jobs#stall stall} it; if it goes silent past the queue's timeout the job becomes
 * available again (and counts a failure).
 *
 * @param id       the job's id
 * @param payload  the job's content
 * @param failures how many times it was cancelled or timed out before this claim
 */
public record Job(String id, String payload, long failures) {
}
