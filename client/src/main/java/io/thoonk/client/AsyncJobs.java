package io.thoonk.client;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Asynchronous form of {@link Jobs}; same semantics and errors. */
public interface AsyncJobs extends AsyncLiveObject {

    CompletionStage<Published> put(String payload);

    CompletionStage<Published> put(String payload, Priority priority);

    CompletionStage<Published> put(String payload, String id, Priority priority);

    CompletionStage<Optional<Job>> get(Duration timeout);

    CompletionStage<Void> finish(String id);

    CompletionStage<Void> finish(String id, String result);

    CompletionStage<Void> cancel(String id);

    CompletionStage<Void> release(String id);

    CompletionStage<Void> touch(String id);

    CompletionStage<Void> stall(String id);

    CompletionStage<Void> retry(String id);

    CompletionStage<Boolean> retract(String id);

    CompletionStage<Integer> sweep();

    CompletionStage<JobState> state(String id);

    CompletionStage<Long> failures(String id);

    CompletionStage<List<String>> list(JobState state);

    CompletionStage<Optional<String>> result(String id);

    /** Completes with the result when the job finishes, or empty after {@code timeout}. */
    CompletionStage<Optional<String>> awaitResult(String id, Duration timeout);
}
