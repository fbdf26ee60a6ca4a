package io.thoonk.client.internal;

import io.thoonk.client.TeamFencedException;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.client.WriteOutcomeUnknownException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One call to a team's shard, from its first attempt to its outcome, riding moves and failovers.
 * Every retry waits for the directory's next change (the Watch stream's next shard record or
 * placement, taken as {@link ShardRouter#nextChange} before each attempt, so a change that comes
 * while the attempt runs is not missed) or at the latest a short fallback pause, whichever comes
 * first; none polls the coordinators:
 *
 * <ul>
 *   <li>a shard that says the team is <b>frozen</b> (a move is copying its last changes): the team
 *       is still there and its route is right, so nothing is dropped; the call waits for the
 *       directory's next change and tries again. When the directory already says the team is
 *       frozen ({@code TEAM_FROZEN}, which the mover writes as it freezes the team), the move's end
 *       (its switch, or the rollback that unfreezes it) is the team's next change: the call waits
 *       for the next change with no pause of its own but a fallback of
 *       {@value #TOLD_FROZEN_FALLBACK_MS} ms in case the end is never told. Until the directory says so (or on a single Redis, which has no directory) it also
 *       tries again after a pause of 10 ms doubling to 200 ms. A refused operation was not
 *       applied, so trying again is always safe;</li>
 *   <li>a shard that says the route is stale (the team <b>moved</b>, or another team epoch): the
 *       route is dropped and the team resolved again at once; refused again (the coordinator that
 *       answered did not know of the move yet), the call waits as above and resolves again. A
 *       single Redis has nowhere else to go: the refusal fails the call at once;</li>
 *   <li>a primary that is gone or changing ({@link Failures#primaryUnavailable}: connection refused,
 *       closed or reset, {@code READONLY}, {@code NOREPLICAS}, {@code LOADING}, {@code MASTERDOWN}):
 *       the call waits for the next directory change or at the latest a backoff of 50 ms doubling to
 *       1 s (for a primary that comes back by itself), and tries again on the team's route then.</li>
 * </ul>
 *
 * <p>Every attempt runs the same operation: a write carries the same request id each time, so a
 * shard that already applied it answers with the remembered reply instead of applying it again
 * (common.lua's {@code once}). The call ends at its one deadline (the command timeout) whatever
 * happens; no attempt starts after it. A write that was in flight when its primary went away and
 * found no primary to complete on before the deadline fails with
 * {@link WriteOutcomeUnknownException}, anything else with a {@link ThoonkTimeoutException} saying
 * what it waited for (a move that kept the team frozen names the team and the shard).
 *
 * <p>A call may also be given a {@link GiveUp} (a blocking take's own timeout): no attempt after the
 * first starts once it has passed, and none is queued on a shard connection that is reconnecting
 * (it fails as the primary being unavailable, sending nothing), so a shard without a primary fails
 * the call then, with a {@link ThoonkTimeoutException} naming that timeout, not at the command
 * timeout. The one exception
 * is a write whose outcome is unknown (in flight when its primary went away): it keeps trying, with
 * the same request id, until the command timeout, because only its answer says whether it applied
 * (a take that took an item must hand that item back, not take another). On a single Redis (no
 * directory) such a call tries again after the backoff until it gives up, riding a restart.
 */
final class ShardCall<T> {

    private static final Logger log = LoggerFactory.getLogger(ShardCall.class);

    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 1000;
    static final long FIRST_FROZEN_PAUSE_MS = 10;
    static final long MAX_FROZEN_PAUSE_MS = 200;
    /**
     * The longest wait for the directory's next change once it has said the team is frozen: the
     * move's end is told as a change; this covers an end it cannot tell (a rollback whose write to
     * the directory failed, a Watch stream being resumed).
     */
    static final long TOLD_FROZEN_FALLBACK_MS = 1000;

    private final DefaultThoonk thoonk;
    private final String team;
    private final Function<Route, CompletableFuture<T>> op;
    private final Failures.Context context;
    private final boolean write;
    private final GiveUp giveUp;
    private final CompletableFuture<T> outcome = new CompletableFuture<>();
    private long backoffMs = FIRST_BACKOFF_MS;
    private long frozenPauseMs = FIRST_FROZEN_PAUSE_MS;
    private boolean rerouted;
    private boolean attempted;
    private volatile boolean unknown;
    private volatile String lastShard = "?";
    private volatile ThoonkException lastFailure;

    private ShardCall(DefaultThoonk thoonk, String team, Function<Route, CompletableFuture<T>> op,
                      Failures.Context context, boolean write, GiveUp giveUp) {
        this.thoonk = thoonk;
        this.giveUp = giveUp;
        this.team = team;
        this.op = op;
        this.context = context;
        this.write = write;
    }

    /**
     * Runs {@code op} on the team's route until it succeeds, fails for good, or {@code deadline}
     * passes. {@code write}: a change (whose outcome may be unknown when its connection breaks).
     */
    static <T> CompletableFuture<T> run(DefaultThoonk thoonk, String team, Function<Route, CompletableFuture<T>> op,
                                        Failures.Context context, boolean write, Duration deadline) {
        return run(thoonk, team, op, context, write, deadline, GiveUp.NEVER);
    }

    /** {@link #run(DefaultThoonk, String, Function, Failures.Context, boolean, Duration)} that starts no retry after {@code giveUp}. */
    static <T> CompletableFuture<T> run(DefaultThoonk thoonk, String team, Function<Route, CompletableFuture<T>> op,
                                        Failures.Context context, boolean write, Duration deadline, GiveUp giveUp) {
        ShardCall<T> call = new ShardCall<>(thoonk, team, op, context, write, giveUp);
        thoonk.within(call.outcome, deadline, () -> call.deadlinePassed(deadline));
        call.attempt();
        return call.outcome;
    }

    private void attempt() {
        if (outcome.isDone()) {
            return;
        }
        if (attempted && !unknown && giveUp.passed()) {
            outcome.completeExceptionally(gaveUp());
            return;
        }
        attempted = true;
        CompletableFuture<Void> changed = thoonk.router().nextChange(); // before routing: no change slips by
        thoonk.router().route(team).whenComplete((route, routeError) -> {
            if (routeError != null) {
                failed(null, routeError, changed);
                return;
            }
            if (outcome.isDone()) {
                return; // the deadline passed while routing: never send late
            }
            lastShard = route.shardId();
            if (giveUp.bounded() && !route.shard().connected()) {
                // a call that gives up must not wait in Lettuce's reconnect queue past that: nothing sent
                failed(route, route.shard().notConnected(), changed);
                return;
            }
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
                    failed(route, error, changed);
                }
            });
        });
    }

    private void failed(Route route, Throwable error, CompletableFuture<Void> changed) {
        if (outcome.isDone()) {
            return;
        }
        ThoonkException failure = Failures.exception(Await.unwrap(error), context);
        if (failure instanceof TeamFencedException fenced) {
            fenced(route, fenced, changed);
            return;
        }
        if (!Failures.primaryUnavailable(error) || (changed == null && !giveUp.bounded())) {
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
        retry(changed, pause);
    }

    /** A refusal by the team's fence, on {@code route}: nothing was applied. */
    private void fenced(Route route, TeamFencedException fenced, CompletableFuture<Void> changed) {
        lastFailure = fenced;
        if (frozen(fenced)) {
            boolean told = route != null && route.teamFrozen() && changed != null;
            long pause = told ? TOLD_FROZEN_FALLBACK_MS : frozenPauseMs;
            if (!told) {
                frozenPauseMs = Math.min(MAX_FROZEN_PAUSE_MS, frozenPauseMs * 2);
            }
            log.debug("team {} is frozen on shard {} for a move{}; {} waits for the directory's next change or {} ms",
                    team, lastShard, told ? " (the directory says so)" : "", context.object(), pause);
            retry(changed, pause);
            return;
        }
        if (!thoonk.router().invalidate(team)) {
            outcome.completeExceptionally(fenced); // a single Redis: no other shard to go to
            return;
        }
        if (!rerouted) {
            rerouted = true;
            attempt();
            return;
        }
        long pause = backoffMs;
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        retry(changed, pause);
    }

    private static boolean frozen(TeamFencedException fenced) {
        return fenced.state().equals("frozen");
    }

    /** Attempts again at the directory's next change after the last attempt began, or in {@code pauseMs}. */
    private void retry(CompletableFuture<Void> changed, long pauseMs) {
        if (!unknown) {
            pauseMs = Math.min(pauseMs, giveUp.leftMillis()); // wake up to give up in time
        }
        CompletableFuture<Void> pause = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(pauseMs, TimeUnit.MILLISECONDS).execute(() -> pause.complete(null));
        CompletableFuture<?> either = changed == null ? pause : CompletableFuture.anyOf(changed, pause);
        either.whenComplete((ok, e) -> attempt());
    }

    private ThoonkTimeoutException gaveUp() {
        ThoonkException last = lastFailure;
        return new ThoonkTimeoutException("'" + context.object() + "': shard " + lastShard + " did not answer within "
                + giveUp.timeout() + " (the call's own timeout)" + (write ? "; nothing was applied" : "")
                + thoonk.shardFailure(team) + (last == null ? "" : "; last failure: " + last.getMessage()));
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
        if (last instanceof TeamFencedException fenced && frozen(fenced)) {
            return new ThoonkTimeoutException((write ? "'" + context.object() + "' was not written"
                    : "'" + context.object() + "' could not be read") + ": team '" + team + "' is being moved (frozen on "
                    + "shard " + lastShard + ", team epoch " + fenced.epoch() + ") and the move did not end within "
                    + deadline + " (ThoonkOptions.commandTimeout)" + (write && !unknown
                    ? "; nothing was applied, so it is safe to try again" : "") + shard);
        }
        return new ThoonkTimeoutException("no answer for '" + context.object() + "' within " + deadline
                + " (ThoonkOptions.commandTimeout)" + shard + because);
    }

    /**
     * When a call stops trying again: at {@code atNanos} ({@link System#nanoTime()}), the end of
     * {@code timeout} (the caller's own, named in the failure).
     */
    record GiveUp(long atNanos, Duration timeout) {

        /** Tries again until the call's deadline. */
        static final GiveUp NEVER = new GiveUp(0, null);

        /** Gives up {@code timeout} from now. */
        static GiveUp after(Duration timeout) {
            return new GiveUp(System.nanoTime() + timeout.toNanos(), timeout);
        }

        /** Whether this gives up before the call's deadline at all. */
        boolean bounded() {
            return timeout != null;
        }

        boolean passed() {
            return bounded() && System.nanoTime() - atNanos >= 0;
        }

        /** Milliseconds until it gives up, at least 1 ({@link Long#MAX_VALUE}: never). */
        long leftMillis() {
            return timeout == null ? Long.MAX_VALUE
                    : Math.max(1, TimeUnit.NANOSECONDS.toMillis(atNanos - System.nanoTime()) + 1);
        }

        Duration left() {
            return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
        }
    }
}
