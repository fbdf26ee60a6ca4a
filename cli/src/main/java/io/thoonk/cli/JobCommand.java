package io.thoonk.cli;

import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Priority;
import io.thoonk.cli.Views.Claimed;
import io.thoonk.cli.Views.Done;
import io.thoonk.cli.Views.Listed;
import io.thoonk.cli.Views.Removed;
import io.thoonk.cli.Views.Written;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;

/** {@code thoonk job ...}: a job queue whose jobs are claimed, then finished, cancelled or stalled. */
@Command(name = "job", description = "Queue, claim and complete jobs.")
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
        return print(thoonk -> new Removed(name, id, thoonk.jobs(name).retract(id)));
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

    private int change(String name, String id, String action, BiConsumer<Jobs, String> operation) {
        return print(thoonk -> {
            operation.accept(thoonk.jobs(name), id);
            return new Done(name, id, action);
        });
    }
}
