package io.thoonk.client.internal;

import io.netty.util.Timeout;
import io.netty.util.Timer;
import io.thoonk.client.ThoonkConnectionException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Gives every call of a client its deadline: a call still pending when its deadline passes fails
 * with the exception it was given, whatever it is waiting for (a route, a connection, a place in a
 * feed's lane, Redis). Runs on Lettuce's hashed-wheel timer, so a deadline costs a few
 * allocations, not a lock; it may fire up to one tick (100 ms) late.
 */
final class Deadlines {

    /** How late a deadline may fire: more than one tick of Lettuce's timer (100 ms). */
    static final Duration SLACK = Duration.ofMillis(250);

    private final Timer timer;

    Deadlines(Timer timer) {
        this.timer = timer;
    }

    /**
     * Fails {@code call} with {@code failure} if it has not completed within {@code deadline};
     * returns {@code call} itself, so whoever holds it sees it done.
     */
    <T> CompletableFuture<T> within(CompletableFuture<T> call, Duration deadline,
                                    Supplier<? extends RuntimeException> failure) {
        if (call.isDone()) {
            return call;
        }
        Timeout timeout;
        try {
            timeout = timer.newTimeout(t -> call.completeExceptionally(failure.get()), deadline.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (IllegalStateException stopped) {
            call.completeExceptionally(new ThoonkConnectionException("the client is closed", stopped));
            return call;
        }
        call.whenComplete((value, error) -> timeout.cancel());
        return call;
    }
}
