package io.thoonk.client.internal;

import io.thoonk.client.InvalidArgumentException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Take-with-timeout for queues and jobs. Blocking commands cannot run inside a script, so the take
 * itself is an atomic script that returns nothing when the list is empty; in between, the caller
 * waits on a pooled connection until the list has an element ({@link ShardConnection#awaitElement}).
 * Several waiters may wake for one element; the script lets exactly one of them have it.
 *
 * <p>The caller's timeout is the deadline of the whole take, across failovers: a wait whose primary
 * dies is waited again on the new primary once the directory names it, for the time left; a take
 * script in flight when its primary dies is asked again with its request id, so the item it took
 * (if the replica had it) is the one returned, never a second. When the timeout passes with no
 * primary answering, the take fails with a {@link io.thoonk.client.ThoonkTimeoutException} naming
 * it; only a take that may already have taken an item keeps asking until the command timeout (see
 * {@link ShardCall}). Whatever happens, the call ends within its timeout plus the command timeout ({@link #backstop}).
 */
final class BlockingTake {

    private BlockingTake() {
    }

    /**
     * Takes from {@code listKey}'s object, waiting up to {@code timeout}. {@code takeNow}: one take
     * script (a request id of its own), which starts no retry after the given {@link ShardCall.GiveUp}.
     */
    static <T> CompletableFuture<Optional<T>> take(ObjectSupport object, String listKey, Duration timeout,
                                                   Function<ShardCall.GiveUp, CompletableFuture<Optional<T>>> takeNow) {
        Objects.requireNonNull(timeout, "timeout == null");
        if (timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be >= 0, was " + timeout);
        }
        // a backstop only, past the last take script's own deadline, so its own failure is what the caller sees
        return object.thoonk.within(attempt(object, listKey, ShardCall.GiveUp.after(timeout), takeNow),
                backstop(object, timeout), object.name);
    }

    /** The latest a take of {@code timeout} ends, whatever happens. */
    static Duration backstop(ObjectSupport object, Duration timeout) {
        return timeout.plus(object.thoonk.options().commandTimeout()).plus(Deadlines.SLACK);
    }

    private static <T> CompletableFuture<Optional<T>> attempt(ObjectSupport object, String listKey,
                                                              ShardCall.GiveUp giveUp,
                                                              Function<ShardCall.GiveUp, CompletableFuture<Optional<T>>> takeNow) {
        return takeNow.apply(giveUp).thenCompose(taken -> {
            if (taken.isPresent() || giveUp.passed()) {
                return CompletableFuture.completedFuture(taken);
            }
            return object.waitOnShard((route, left) -> route.shard().awaitElement(listKey, left), giveUp)
                    .thenCompose(any -> attempt(object, listKey, giveUp, takeNow));
        });
    }
}
