package io.thoonk.cli;

import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Priority;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.cli.Views.Claimed;
import io.thoonk.cli.Views.Done;
import io.thoonk.cli.Views.JobResult;
import io.thoonk.cli.Views.JobStatus;
import io.thoonk.cli.Views.Listed;
import io.thoonk.cli.Views.Removed;
import io.thoonk.cli.Views.Written;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * {@code thoonk job ...}: a job queue whose jobs are claimed, then finished, cancelled or stalled;
 * {@code status} and {@code result} show where a job is and what it produced.
 */
@Command(name = "job", description = "Queue, claim and complete jobs; show a job's state and result.")
final class JobCommand extends ObjectCommands {

    private static final String ID_HELP = "The job's id.";
    private static final String PAYLOAD = "PAYLOAD";
    private static final List<JobState> LISTABLE = List.of(JobState.QUEUED, JobState.CLAIMED, JobState.STALLED);

    @Command(name = "put", description = "Queues a job.")
    int put(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
            @Parameters(paramLabel = PAYLOAD, arity = "0..1", description = "The job's content.") String payload,
            @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file,
            @Option(names = "--id", description = "The job's id (default: a generated UUID).") String id,
            @Option(names = "--high", description = "Claimed before every normal job.") boolean high) {
        Priority priority = high ? Priority.HIGH : Priority.NORMAL;
        String content = content(PAYLOAD, payload, file);
        return print(thoonk -> {
            Jobs jobs = thoonk.jobs(name);
            return Written.of(name, "queued", id == null ? jobs.put(content, priority) : jobs.put(content, id, priority));
        });
    }

    @Command(name = "get", description = "Claims the next job and prints its id, payload and failure count.")
    int get(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
            @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
                    description = "How long to wait for a job, e.g. 500ms, 5s, 2m (default: ${DEFAULT-VALUE}).")
            Duration timeout) {
        return print(thoonk -> Claimed.of(name, thoonk.jobs(name).get(timeout)
                .orElseThrow(() -> nothingWithin("job in", name, timeout))));
    }

    @Command(name = "finish", description = "Finishes a claimed job, optionally with a result.")
    int finish(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = "ID", description = ID_HELP) String id,
               @Option(names = "--result", paramLabel = "R", description = "The job's result (announced and kept).")
               String result) {
        return change(name, id, "finished", (jobs, job) -> {
            if (result == null) {
                jobs.finish(job);
            } else {
                jobs.finish(job, result);
            }
        });
    }

    @Command(name = "cancel", description = "Gives a claimed job back as failed; it is retried (or stalled).")
    int cancel(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = "ID", description = ID_HELP) String id) {
        return change(name, id, "cancelled", Jobs::cancel);
    }

    @Command(name = "stall", description = "Sets a claimed job aside until it is retried.")
    int stall(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
              @Parameters(paramLabel = "ID", description = ID_HELP) String id) {
        return change(name, id, "stalled", Jobs::stall);
    }

    @Command(name = "retry", description = "Makes a stalled job available again.")
    int retry(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
              @Parameters(paramLabel = "ID", description = ID_HELP) String id) {
        return change(name, id, "retried", Jobs::retry);
    }

    @Command(name = "retract", description = "Deletes a job, whatever its state.")
    int retract(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
                @Parameters(paramLabel = "ID", description = ID_HELP) String id) {
        return print(thoonk -> {
            if (!thoonk.jobs(name).retract(id)) {
                throw unknown(name, id);
            }
            return new Removed(name, id, true);
        });
    }

    @Command(name = "list", description = "Prints job ids with their state (queued ones in the order they will be claimed).")
    int list(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
             @Option(names = "--state", paramLabel = "STATE",
                     description = "queued, claimed or stalled (default: all three).") JobState state) {
        List<JobState> states = state == null ? LISTABLE : List.of(state);
        return printAll(thoonk -> {
            Jobs jobs = thoonk.jobs(name);
            return states.stream()
                    .flatMap(s -> jobs.list(s).stream().map(id -> Listed.of(name, id, s)))
                    .toList();
        });
    }

    @Command(name = "status", description = "Prints a job's state (queued, claimed, stalled or finished) and failure count.")
    int status(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = "ID", description = ID_HELP) String id) {
        return print(thoonk -> {
            Jobs jobs = thoonk.jobs(name);
            JobState state = jobs.state(id);
            if (state == JobState.UNKNOWN) {
                throw unknown(name, id);
            }
            return JobStatus.of(name, id, state, jobs.failures(id));
        });
    }

    @Command(name = "result", description = {"Prints a finished job's result (kept for the queue's result_ttl_ms).",
            "Fails if the job is not finished, unless it finishes within --wait."})
    int result(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = "ID", description = ID_HELP) String id,
               @Option(names = "--wait", paramLabel = "DURATION",
                       description = "Wait up to DURATION for an unfinished job to finish, e.g. 30s, 5m.")
               Duration wait) {
        return print(thoonk -> {
            Jobs jobs = thoonk.jobs(name);
            Optional<String> result = jobs.result(id);
            if (result.isEmpty()) {
                JobState state = jobs.state(id);
                if (state == JobState.UNKNOWN) {
                    throw unknown(name, id);
                }
                if (wait == null) {
                    throw new ThoonkException("job '" + id + "' in '" + name + "' is " + Views.stateName(state)
                            + ", not finished; to wait for it: --wait DURATION");
                }
                result = jobs.awaitResult(id, wait);
                if (result.isEmpty()) {
                    throw new ThoonkTimeoutException("job '" + id + "' in '" + name + "' did not finish within "
                            + Durations.format(wait) + " (it is " + Views.stateName(jobs.state(id)) + ")");
                }
            }
            return new JobResult(name, id, result.get());
        });
    }

    /** A job the queue does not know: never queued, retracted, or finished longer ago than results are kept. */
    private static ThoonkException unknown(String name, String id) {
        return new ThoonkException("no job '" + id + "' in '" + name + "': never queued, retracted, or finished "
                + "longer ago than the queue keeps results (result_ttl_ms)");
    }

    private int change(String name, String id, String action, BiConsumer<Jobs, String> operation) {
        return print(thoonk -> {
            operation.accept(thoonk.jobs(name), id);
            return new Done(name, id, action);
        });
    }
}
