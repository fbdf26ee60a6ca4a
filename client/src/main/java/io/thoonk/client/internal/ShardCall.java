package io.thoonk.client.internal;

import io.thoonk.client.TeamFencedException;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.client.WriteOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One call to a team's shard, from its first attempt to its outcome, riding moves and failovers:
 *
 * <ul>
 *   <li>a shard that refuses because the team's fence says the route is stale (the team moved or is
 *       moving): the route is dropped and the call tried again every 20 ms, until
 *       {@link io.thoonk.client.ThoonkOptions#rerouteDeadline()};</li>
 *   <li>a primary that is gone or changing ({@link Failures#primaryUnavailable}: connection refused,
 *       closed or reset, {@code READONLY}, {@code NOREPLICAS}, {@code LOADING}, {@code MASTERDOWN}):
 *       the call waits until the directory names something new for the team
 *       ({@link ShardRouter#awaitNewRoute}, woken by the Watch stream, not by polling), or at the
 *       latest a backoff (50 ms doubling to 1 s, for a primary that comes back by itself), and tries
 *       again there.</li>
 * </ul>
 *
 * <p>Every attempt runs the same operation: a write carries the same request id each time, so a
 * shard that already applied it answers with the remembered reply instead of applying it again
 * (common.lua's {@code once}). The call ends at its deadline whatever happens; no attempt starts
 * after it. A write that was in flight when its primary went away and found no primary to
 * complete on before the deadline fails with {@link WriteOutcomeUnknownException}, anything else
 * with a {@link ThoonkTimeoutException}.
 */
final class ShardCall<T> {

    private static final Logger log = LoggerFactory.getLogger(ShardCall.class);

    private static final Executor REROUTE_PAUSE = CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS);
    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 1000;

    private final DefaultThoonk thoonk;
    private final String team;
    private final Function<Route, CompletableFuture<T>> op;
    private final Failures.Context context;
    private final boolean write;
    private final long rerouteDeadline;
    private final CompletableFuture<T> outcome = new CompletableFuture<>();
    private long backoffMs = FIRST_BACKOFF_MS;
    private volatile boolean unknown;
    private volatile String lastShard = "?";
    private volatile ThoonkException lastFailure;

    private ShardCall(DefaultThoonk thoonk, String team, Function<Route, CompletableFuture<T>> op,
                      Failures.Context context, boolean write) {
        this.thoonk = thoonk;
        this.team = team;
        this.op = op;
        this.context = context;
        this.write = write;
        this.rerouteDeadline = System.nanoTime() + thoonk.options().rerouteDeadline().toNanos();
    }

    /**
     * Runs {@code op} on the team's route until it succeeds, fails for good, or {@code deadline}
     * passes. {@code write}: a change (whose outcome may be unknown when its connection breaks).
     */
    static <T> CompletableFuture<T> run(DefaultThoonk thoonk, String team, Function<Route, CompletableFuture<T>> op,
                                        Failures.Context context, boolean write, Duration deadline) {
        ShardCall<T> call = new ShardCall<>(thoonk, team, op, context, write);
        thoonk.within(call.outcome, deadline, () -> call.deadlinePassed(deadline));
        call.attempt();
        return call.outcome;
    }

    private void attempt() {
        if (outcome.isDone()) {
            return;
        }
        thoonk.router().route(team).whenComplete((route, routeError) -> {
            if (routeError != null) {
                failed(null, routeError);
                return;
            }
            if (outcome.isDone()) {
                return; // the deadline passed while routing: never send late
            }
            lastShard = route.shardId();
            CompletableFuture<T> running;
            try {
                running = route.shard().admit(() -> op.apply(route));
            } catch (RuntimeException e) {
                running = CompletableFuture.failedFuture(e);
            }
            running.whenComplete((value, error) -> {
                if (error == null) {
                    outcome.complete(value);
                } else {
                    failed(route, error);
                }
            });
        });
    }

    private void failed(Route route, Throwable error) {
        if (outcome.isDone()) {
            return;
        }
        ThoonkException failure = Failures.exception(Await.unwrap(error), context);
        if (failure instanceof TeamFencedException && System.nanoTime() < rerouteDeadline
                && thoonk.router().invalidate(team)) {
            CompletableFuture.runAsync(this::attempt, REROUTE_PAUSE);
            return;
        }
        CompletableFuture<Void> changed = Failures.primaryUnavailable(error)
                ? thoonk.router().awaitNewRoute(team, route) : null;
        if (changed == null) {
            outcome.completeExceptionally(failure);
            return;
        }
        if (write && route != null && Failures.outcomeUnknown(error)) {
            unknown = true;
        }
        lastFailure = failure;
        long pause = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        log.debug("{} on shard {} failed ({}); trying again on the next directory change or in {} ms",
                context.object(), route == null ? "?" : route.shardId(), failure.getMessage(), pause);
        CompletableFuture<Void> backoff = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(() -> backoff.complete(null));
        CompletableFuture.anyOf(changed, backoff).whenComplete((ok, e) -> attempt());
    }

    private ThoonkTimeoutException deadlinePassed(Duration deadline) {
        ThoonkException last = lastFailure;
        String because = last == null ? "" : "; last failure: " + last.getMessage();
        String shard = thoonk.shardFailure(team);
        if (unknown) {
            return new WriteOutcomeUnknownException(context.object(), lastShard, "the shard's primary failed or changed"
                    + " while the write was in flight, and no primary confirmed it within " + deadline
                    + " (ThoonkOptions.commandTimeout)" + shard + because);
        }
        return new ThoonkTimeoutException("no answer for '" + context.object() + "' within " + deadline + " (ThoonkOptions.commandTimeout)" + shard + because);
    }
}
