package io.thoonk.client.internal;

import io.lettuce.core.LMoveArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every connection to one Redis primary, in one place: one shared command connection (all
 * scripts, pipelined), one pub/sub connection created on first subscription, and a small pool of
 * connections for blocking waits, which must not hold up the shared one.
 */
public final class ShardConnection implements AutoCloseable {

    /** Longest single blocking wait; longer waits loop, so a lost reply never blocks forever. */
    private static final double MAX_BLOCK_SECONDS = 30;

    private final RedisClient client;
    private final RedisURI uri;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final Deque<StatefulRedisConnection<String, String>> idleBlocking = new ConcurrentLinkedDeque<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SubscriptionHub hub;

    private ShardConnection(RedisClient client, RedisURI uri) {
        this.client = client;
        this.uri = uri;
        this.connection = client.connect(StringCodec.UTF8, uri);
        this.commands = connection.async();
    }

    /** Connects to {@code uri} through {@code client} (which may be shared by many shards). */
    public static ShardConnection connect(RedisClient client, String uri) {
        RedisURI parsed = RedisURI.create(uri);
        try {
            return new ShardConnection(client, parsed);
        } catch (RuntimeException e) {
            throw new io.thoonk.client.ThoonkConnectionException("cannot connect to Redis at " + uri + ": "
                    + e.getMessage(), e);
        }
    }

    public RedisURI uri() {
        return uri;
    }

    /** The shared command connection's async API. */
    public RedisAsyncCommands<String, String> commands() {
        return commands;
    }

    /** Runs a contract script on the shared connection ({@link Script#run}: by SHA, the source once if needed). */
    public <T> CompletableFuture<T> run(Script script, ScriptOutputType type, String[] keys, String... args) {
        return script.run(commands, type, keys, args);
    }

    /**
     * Waits until {@code listKey} holds an element or {@code timeout} passes, without taking
     * anything: a {@code BLMOVE} of the list onto itself (right to right) leaves it unchanged.
     * Completes with true if an element was there.
     */
    public CompletableFuture<Boolean> awaitElement(String listKey, Duration timeout) {
        double seconds = Math.min(MAX_BLOCK_SECONDS, Math.max(0.01, timeout.toMillis() / 1000.0));
        return borrow().thenCompose(conn -> conn.async()
                .blmove(listKey, listKey, LMoveArgs.Builder.rightRight(), seconds).toCompletableFuture()
                .whenComplete((v, e) -> giveBack(conn))
                .thenApply(v -> v != null));
    }

    /** An idle blocking connection, or a new one; never blocks (callers may be on an I/O thread). */
    private CompletableFuture<StatefulRedisConnection<String, String>> borrow() {
        StatefulRedisConnection<String, String> conn;
        while ((conn = idleBlocking.pollFirst()) != null) {
            if (conn.isOpen()) {
                return CompletableFuture.completedFuture(conn);
            }
        }
        return client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
    }

    private void giveBack(StatefulRedisConnection<String, String> conn) {
        if (closed.get() || idleBlocking.size() >= 16) {
            conn.closeAsync();
        } else {
            idleBlocking.addFirst(conn);
        }
    }

    /** The pub/sub hub of this shard, connecting it on first use. */
    public SubscriptionHub hub() {
        SubscriptionHub h = hub;
        if (h == null) {
            synchronized (this) {
                h = hub;
                if (h == null) {
                    h = new SubscriptionHub(client.connectPubSub(StringCodec.UTF8, uri));
                    hub = h;
                }
            }
        }
        return h;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        SubscriptionHub h = hub;
        if (h != null) {
            h.close();
        }
        StatefulRedisConnection<String, String> conn;
        while ((conn = idleBlocking.pollFirst()) != null) {
            conn.close();
        }
        connection.close();
    }
}
