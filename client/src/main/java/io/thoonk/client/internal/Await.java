package io.thoonk.client.internal;

import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Turns a stage into a blocking result with a deadline, rethrowing the stage's Thoonk exception. */
public final class Await {

    private Await() {
    }

    public static <T> T await(CompletionStage<T> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (TimeoutException e) {
            throw new ThoonkTimeoutException("no answer from Redis within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThoonkException("interrupted while waiting for Redis", e);
        }
    }

    /**
     * Waits for a call that fails by itself at {@code deadline} (a {@link ShardCall}, or anything
     * given its deadline by {@link Deadlines}), a little longer than the deadline: the deadline's
     * timer may fire a tick late, and the caller should see the call's own failure (which says what
     * it waited for: a frozen team, a failover) rather than this method's generic timeout.
     */
    static <T> T awaitCall(CompletionStage<T> stage, Duration deadline) {
        return await(stage, deadline.plus(Deadlines.SLACK));
    }

    /** The Thoonk exception behind an async failure (unwrapping CompletionException). */
    public static RuntimeException rethrow(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new ThoonkException(String.valueOf(e.getMessage()), e);
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
