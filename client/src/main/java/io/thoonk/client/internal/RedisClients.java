package io.thoonk.client.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.netty.util.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce clients of one Thoonk client: one for command connections and one for pub/sub
 * connections, each with event loop threads of its own, and one for blocking waits (see
 * {@link #blocking()}) sharing the command client's threads.
 *
 * <p>Why two: listeners are called on the pub/sub connection's I/O thread (no hand-off to another
 * thread, which costs a thread wake-up per event), and a listener may make blocking calls. A
 * blocking call waits for a reply that a command connection's I/O thread reads; were that the
 * listener's own thread, it would wait for itself. With separate thread groups it never is.
 *
 * <p>What remains is waiting on a pub/sub thread for something only a pub/sub thread can deliver
 * (a SUBSCRIBE acknowledgement, a new pub/sub connection, an event): callers check
 * {@link #onPubSubThread()} and do not wait there (see {@link DefaultThoonk#subscribe}).
 *
 * <p>The pub/sub client shares the command client's timer and computation threads; only its event
 * loop is its own.
 */
final class RedisClients {

    /** The clients whose pub/sub event loop the current thread belongs to (null: none). */
    private static final ThreadLocal<RedisClients> PUBSUB_THREAD_OF = new ThreadLocal<>();

    private final RedisClient commands;
    private final RedisClient blocking;
    private final ClientResources pubsubResources;
    private final RedisClient pubsub;

    RedisClients(ClientOptions options) {
        this.commands = RedisClient.create();
        commands.setOptions(options);
        ClientResources shared = commands.getResources();
        this.blocking = RedisClient.create(shared);
        blocking.setOptions(options.mutate().autoReconnect(false).build());
        this.pubsubResources = DefaultClientResources.builder()
                .timer(shared.timer())
                .eventExecutorGroup(shared.eventExecutorGroup())
                .threadFactoryProvider(this::pubsubThreads)
                .build();
        this.pubsub = RedisClient.create(pubsubResources);
        pubsub.setOptions(options);
    }

    /** Threads of the pub/sub event loop, marked as this client's from their first instruction. */
    private ThreadFactory pubsubThreads(String poolName) {
        ThreadFactory threads = new DefaultThreadFactory("thoonk-pubsub", true);
        return task -> threads.newThread(() -> {
            PUBSUB_THREAD_OF.set(this);
            task.run();
        });
    }

    /** Opens the shared command connections. */
    RedisClient commands() {
        return commands;
    }

    /**
     * Opens the pooled connections for blocking waits: on the command client's threads, but never
     * reconnecting, so a wait whose connection breaks (its primary killed) fails at once and is
     * waited again on the shard's primary of then, instead of being resent to a node that may
     * never come back.
     */
    RedisClient blocking() {
        return blocking;
    }

    /** Opens pub/sub connections. */
    RedisClient pubsub() {
        return pubsub;
    }

    Timer timer() {
        return commands.getResources().timer();
    }

    /**
     * Whether the current thread is one of this client's pub/sub I/O threads (listeners run there):
     * waiting there for a pub/sub reply could wait for the thread itself.
     */
    boolean onPubSubThread() {
        return PUBSUB_THREAD_OF.get() == this;
    }

    /**
     * Shuts the clients down (their connections, then the threads): pub/sub and blocking first, as
     * they borrow the command client's timer and threads. Completes when done; waits for nothing.
     */
    CompletableFuture<Void> shutdownAsync(long timeoutMillis) {
        return pubsub.shutdownAsync(0, timeoutMillis, TimeUnit.MILLISECONDS)
                .handle((ok, e) -> null)
                .thenCompose(ok -> toCompletable(pubsubResources.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS)))
                .handle((ok, e) -> null)
                .thenCompose(ok -> blocking.shutdownAsync(0, timeoutMillis, TimeUnit.MILLISECONDS))
                .handle((ok, e) -> null)
                .thenCompose(ok -> commands.shutdownAsync(0, timeoutMillis, TimeUnit.MILLISECONDS));
    }

    private static CompletableFuture<Void> toCompletable(io.netty.util.concurrent.Future<?> future) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        future.addListener(f -> done.complete(null));
        return done;
    }
}
