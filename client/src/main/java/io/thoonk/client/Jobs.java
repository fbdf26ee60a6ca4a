package io.thoonk.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A job queue: each job is done once, by one worker, reliably.
 *
 * <p>Beyond the original Thoonk: claiming is atomic; a claimed job whose worker goes silent past
 * the queue's {@code timeout_ms} becomes available again (any client's {@link #sweep()} or
 * {@link #get} does it), counting a failure; after {@code max_attempts} failures the job is stalled
 * instead; results are kept for {@code result_ttl_ms} so a submitter that was not listening still
 * gets them ({@link #result}, {@link #awaitResult}). Set these with {@link Registry#configure}.
 */
public interface Jobs extends LiveObject {

    AsyncJobs async();

    /**
     * A view of this object whose writes are acknowledged with {@code durability} instead of the
     * client's {@link ThoonkOptions#durability()}; this view is unchanged. Cheap: share or discard it.
     */
    Jobs withDurability(Durability durability);

    /** Queues a job under a generated id. */
    Published put(String payload);

    Published put(String payload, Priority priority);

    /** Queues a job under {@code id}. @throws JobStateException if a job with that id exists */
    Published put(String payload, String id, Priority priority);

    /** Claims the next job, waiting up to {@code timeout}; empty if none came. */
    Optional<Job> get(Duration timeout);

    /** Finishes a claimed job without a result. */
    void finish(String id);

    /** Finishes a claimed job; the result is announced ({@code job.finish}) and kept. */
    void finish(String id, String result);

    /** Gives a claimed job back as failed: it counts a failure and is retried (or stalled). */
    void cancel(String id);

    /** Gives a claimed job back unfinished without counting a failure (e.g. on worker shutdown). */
    void release(String id);

    /** Tells the queue the worker of a claimed job is alive, restarting its timeout. */
    void touch(String id);

    /** Sets a claimed job aside until {@link #retry}. */
    void stall(String id);

    /** Makes a stalled job available again. */
    void retry(String id);

    /** Deletes a job in any state; false if there was none. */
    boolean retract(String id);

    /** Returns claims that timed out to the available list; returns how many. */
    int sweep();

    JobState state(String id);

    /** How many times the job failed (was cancelled or timed out) so far. */
    long failures(String id);

    /** Ids of jobs in a state ({@link JobState#QUEUED} in the order they will be taken). */
    List<String> list(JobState state);

    /** The result of a finished job, if still kept. Empty when unfinished or unknown. */
    Optional<String> result(String id);

    /** Waits up to {@code timeout} for the job to finish and returns its result. */
    Optional<String> awaitResult(String id, Duration timeout);
}
