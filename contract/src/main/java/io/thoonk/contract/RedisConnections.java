package io.thoonk.contract;

import io.lettuce.core.RedisConnectionException;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Opens Lettuce connections so that a refused handshake says why: the one way coordinators and
 * clients open connections to Redis nodes.
 *
 * <p>Why: Lettuce (7.7) loses the reason a connection's handshake ({@code HELLO}/{@code AUTH},
 * {@code CLIENT SETNAME}, {@code SELECT}) failed when the failure comes before Lettuce has started
 * waiting for it, a race that loopback connections on a busy machine often hit: the connect then
 * fails with {@code IllegalStateException: RedisHandshakeHandler not registered} instead of, say,
 * the server's {@code WRONGPASS}, or with {@code RedisConnectionException: Connection closed
 * prematurely} when the channel's close wins the race. Such a connect is opened again, at most
 * {@value #ATTEMPTS} times in all, and the first failure that says more is reported (a server that
 * really closes connections at once fails each attempt as fast). Nothing else is retried.
 */
public final class RedisConnections {

    /** Attempts at a connect whose handshake failed without a reason. */
    static final int ATTEMPTS = 4;
    private static final String LOST_REASON = "RedisHandshakeHandler not registered";
    private static final String CLOSED_IN_HANDSHAKE = "Connection closed prematurely";

    private RedisConnections() {
    }

    /**
     * Runs {@code connect} (e.g. {@code () -> client.connectAsync(codec, uri)}), and again while it
     * fails without a reason ({@link #lostReason}), up to {@value #ATTEMPTS} times in all. Never
     * blocks: later attempts start from the thread that completed the previous one.
     */
    public static <T> CompletableFuture<T> open(Supplier<? extends CompletionStage<T>> connect) {
        Objects.requireNonNull(connect, "connect == null");
        return attempt(connect, ATTEMPTS);
    }

    private static <T> CompletableFuture<T> attempt(Supplier<? extends CompletionStage<T>> connect, int left) {
        CompletableFuture<T> started;
        try {
            started = connect.get().toCompletableFuture();
        } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
        }
        return started.handle((connection, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(connection);
            }
            return left > 1 && lostReason(error) ? attempt(connect, left - 1) : CompletableFuture.<T>failedFuture(error);
        }).thenCompose(next -> next);
    }

    /** Whether {@code error} is a failed handshake whose reason Lettuce lost (see the class comment). */
    public static boolean lostReason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalStateException && LOST_REASON.equals(t.getMessage())) {
                return true;
            }
            if (t instanceof RedisConnectionException && CLOSED_IN_HANDSHAKE.equals(t.getMessage())) {
                return true;
            }
        }
        return false;
    }
}
