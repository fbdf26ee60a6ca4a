package io.thoonk.client.internal;

import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.contract.RedisCredentials;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shard connection pool of a cluster client: one {@link ShardConnection} per shard primary
 * ({@code host:port}), shared by every team on that shard, whatever the number of teams.
 *
 * <p>Connections open asynchronously and never inside a lock's wait (the map's compute only starts
 * the connect). A failed connect is forgotten, so the next use tries again. Connections of
 * primaries no longer in the directory (a removed shard, a replaced primary) are closed by
 * {@link #retain}.
 */
final class ShardPool implements AutoCloseable {

    private final RedisClients redis;
    private final RedisCredentials credentials;
    private final int maxQueuedCalls;
    private final ConcurrentHashMap<String, CompletableFuture<ShardConnection>> byPrimary = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param credentials what every connection to a shard authenticates with */
    ShardPool(RedisClients redis, RedisCredentials credentials, int maxQueuedCalls) {
        this.redis = redis;
        this.credentials = credentials;
        this.maxQueuedCalls = maxQueuedCalls;
    }

    /** The connection to {@code primary}, opening it on first use. */
    CompletableFuture<ShardConnection> connection(String primary) {
        CompletableFuture<ShardConnection> current = byPrimary.get(primary);
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        if (closed) {
            return CompletableFuture.failedFuture(new ThoonkConnectionException("the client is closed", null));
        }
        CompletableFuture<ShardConnection> connection = byPrimary.compute(primary, (p, existing) ->
                existing != null && !existing.isCompletedExceptionally() ? existing
                        : ShardConnection.connect(redis, "redis://" + p, credentials, maxQueuedCalls));
        if (closed) {
            close(connection);
        }
        return connection;
    }

    /** Primaries with a connection (open or opening). */
    Set<String> primaries() {
        return Set.copyOf(byPrimary.keySet());
    }

    /**
     * Closes the connections of every primary not in {@code inUse}. The caller makes sure no route
     * hands them out any more; commands still in flight on them fail.
     */
    void retain(Set<String> inUse) {
        byPrimary.forEach((primary, connection) -> {
            if (!inUse.contains(primary) && byPrimary.remove(primary, connection)) {
                close(connection);
            }
        });
    }

    private static void close(CompletableFuture<ShardConnection> connection) {
        connection.thenAccept(ShardConnection::closeAsync);
    }

    /** Closes every connection without waiting; idempotent. */
    CompletableFuture<Void> closeAsync() {
        closed = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        byPrimary.forEach((primary, connection) -> {
            byPrimary.remove(primary, connection);
            closing.add(connection.thenCompose(ShardConnection::closeAsync).exceptionally(e -> null));
        });
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        ShardConnection.awaitClosed(closeAsync(), "the shard connections");
    }
}
