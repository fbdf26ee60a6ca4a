package io.thoonk.client.internal;

import io.thoonk.client.InvalidArgumentException;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Take-with-timeout for queues and jobs. Blocking commands cannot run inside a script, so the take
 * itself is an atomic script that returns nothing when the list is empty; in between, the caller
 * waits on a pooled connection until the list has an element ({@link ShardConnection#awaitElement}).
 * Several waiters may wake for one element; the script lets exactly one of them have it.
 */
final class BlockingTake {

    private BlockingTake() {
    }

    static <T> CompletableFuture<Optional<T>> take(ObjectSupport object, String listKey, Duration timeout,
                                                   Supplier<CompletableFuture<Optional<T>>> takeNow) {
        Objects.requireNonNull(timeout, "timeout == null");
        if (timeout.isNegative()) {
            throw new InvalidArgumentException("timeout must be >= 0, was " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        return object.thoonk.within(attempt(object, listKey, deadline, takeNow),
                timeout.plus(object.thoonk.options().commandTimeout()), object.name);
    }

    private static <T> CompletableFuture<Optional<T>> attempt(ObjectSupport object, String listKey, long deadline,
                                                              Supplier<CompletableFuture<Optional<T>>> takeNow) {
        return takeNow.get().thenCompose(taken -> {
            long remaining = deadline - System.nanoTime();
            if (taken.isPresent() || remaining <= 0) {
                return CompletableFuture.completedFuture(taken);
            }
            Duration wait = Duration.ofNanos(remaining);
            return object.onShard(route -> route.shard().awaitElement(listKey, wait), wait)
                    .thenCompose(any -> attempt(object, listKey, deadline, takeNow));
        });
    }
}
