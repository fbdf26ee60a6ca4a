package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncJobs;
import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.EventType;
import io.thoonk.client.Job;
import io.thoonk.client.JobState;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Priority;
import io.thoonk.client.Published;
import io.thoonk.client.Subscription;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

final class AsyncJobsImpl extends ObjectSupport implements AsyncJobs {

    AsyncJobsImpl(DefaultThoonk thoonk, String name, io.thoonk.client.Durability durability) {
        super(thoonk, name, ObjectType.JOB, durability);
    }

    @Override
    public CompletableFuture<Published> put(String payload) {
        return put(payload, Priority.NORMAL);
    }

    @Override
    public CompletableFuture<Published> put(String payload, Priority priority) {
        return doPut(payload, UUID.randomUUID().toString(), priority);
    }

    @Override
    public CompletableFuture<Published> put(String payload, String id, Priority priority) {
        return doPut(payload, Names.id(id), priority);
    }

    private CompletableFuture<Published> doPut(String payload, String id, Priority priority) {
        Objects.requireNonNull(priority, "priority == null");
        return this.<Long>write(Script.JOBS, ScriptOutputType.INTEGER, id, null, -1,
                "put", id, item(payload), priority == Priority.HIGH ? "high" : "")
                .thenApply(rev -> published(id, rev));
    }

    @Override
    public CompletableFuture<Optional<Job>> get(Duration timeout) {
        return BlockingTake.take(this, Keys.ids(name), timeout, this::claimNow);
    }

    private CompletableFuture<Optional<Job>> claimNow(ShardCall.GiveUp giveUp) {
        return this.<List<Object>>take(giveUp, Script.JOBS, ScriptOutputType.MULTI, "claim", "", "", "")
                .thenApply(r -> isNil(r) ? Optional.empty()
                        : Optional.of(new Job((String) r.get(0), (String) r.get(1), (Long) r.get(2))));
    }

    @Override
    public CompletableFuture<Void> finish(String id) {
        return op("finish", Names.id(id), "", "");
    }

    @Override
    public CompletableFuture<Void> finish(String id, String result) {
        return op("finish", Names.id(id), item(result), "1");
    }

    @Override
    public CompletableFuture<Void> cancel(String id) {
        return op("cancel", Names.id(id), "", "");
    }

    @Override
    public CompletableFuture<Void> release(String id) {
        return op("release", Names.id(id), "", "");
    }

    @Override
    public CompletableFuture<Void> touch(String id) {
        return op("touch", Names.id(id), "", "");
    }

    @Override
    public CompletableFuture<Void> stall(String id) {
        return op("stall", Names.id(id), "", "");
    }

    @Override
    public CompletableFuture<Void> retry(String id) {
        return op("retry", Names.id(id), "", "");
    }

    private CompletableFuture<Void> op(String op, String id, String value, String flag) {
        return this.<Long>write(Script.JOBS, ScriptOutputType.INTEGER, id, null, -1, op, id, value, flag)
                .thenApply(rev -> null);
    }

    @Override
    public CompletableFuture<Boolean> retract(String id) {
        Names.id(id);
        return this.<Long>write(Script.JOBS, ScriptOutputType.INTEGER, id, null, -1, "retract", id, "", "")
                .thenApply(rev -> rev > 0);
    }

    @Override
    public CompletableFuture<Integer> sweep() {
        return this.<Long>write(Script.JOBS, ScriptOutputType.INTEGER, null, null, -1, "sweep", "", "1000", "")
                .thenApply(Long::intValue);
    }

    @Override
    public CompletableFuture<JobState> state(String id) {
        Names.id(id);
        return this.<String>query(Script.JOBS, ScriptOutputType.VALUE, id, "state", id, "", "")
                .thenApply(s -> JobState.valueOf(s.toUpperCase(Locale.ROOT)));
    }

    @Override
    public CompletableFuture<Long> failures(String id) {
        Names.id(id);
        return this.<Long>query(Script.JOBS, ScriptOutputType.INTEGER, id, "failures", id, "", "");
    }

    @Override
    public CompletableFuture<List<String>> list(JobState state) {
        Objects.requireNonNull(state, "state == null");
        if (state != JobState.QUEUED && state != JobState.CLAIMED && state != JobState.STALLED) {
            throw new io.thoonk.client.InvalidArgumentException("only QUEUED, CLAIMED and STALLED jobs can be listed, not "
                    + state);
        }
        return this.<List<Object>>query(Script.JOBS, ScriptOutputType.MULTI, null, "list", "", "",
                state.name().toLowerCase(Locale.ROOT)).thenApply(ObjectSupport::strings);
    }

    @Override
    public CompletableFuture<Optional<String>> result(String id) {
        Names.id(id);
        return this.<List<Object>>query(Script.JOBS, ScriptOutputType.MULTI, id, "result", id, "", "")
                .thenApply(r -> isNil(r) ? Optional.empty() : Optional.of((String) r.get(0)));
    }

    /**
     * Subscribes first, then reads the kept result: a finish between the two is seen by one of them,
     * so the caller never waits for a result that already exists.
     */
    @Override
    public CompletableFuture<Optional<String>> awaitResult(String id, Duration timeout) {
        Names.id(id);
        Objects.requireNonNull(timeout, "timeout == null");
        CompletableFuture<Optional<String>> outcome = new CompletableFuture<>();
        EventListener listener = (Event e) -> {
            if (e.type() == EventType.FINISH && e.id().equals(id)) {
                outcome.complete(Optional.of(e.item()));
            }
        };
        return thoonk.subscribeAsync(name, false, -1, listener).thenCompose((Subscription sub) -> {
            result(id).whenComplete((r, err) -> {
                if (err != null) {
                    outcome.completeExceptionally(err);
                } else if (r.isPresent()) {
                    outcome.complete(r);
                }
            });
            return outcome.completeOnTimeout(Optional.empty(), timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((r, e) -> sub.close());
        });
    }
}
