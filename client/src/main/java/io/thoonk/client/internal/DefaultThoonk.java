package io.thoonk.client.internal;

import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Jobs;
import io.thoonk.client.Queue;
import io.thoonk.client.Registry;
import io.thoonk.client.SortedFeed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.client.ThoonkTimeoutException;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link Thoonk} on one Redis primary. */
public final class DefaultThoonk implements Thoonk {

    private final ThoonkOptions options;
    private final RedisClients redis;
    private final ShardRouter router;
    private final ExecutorService eventExecutor;
    private final String defaultHistoryLength;
    private final PublishCoalescer publishCoalescer;
    private final Deadlines deadlines;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String requestPrefix = randomRequestPrefix();
    private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();

    /** Makes the client's router from its Redis clients and callback executor. */
    @FunctionalInterface
    interface RouterFactory {
        ShardRouter create(RedisClients redis, java.util.concurrent.Executor callbacks);
    }

    private DefaultThoonk(ThoonkOptions options, RouterFactory routers) {
        this.options = Objects.requireNonNull(options, "options == null");
        this.defaultHistoryLength = Integer.toString(options.historyLength());
        this.publishCoalescer = new PublishCoalescer(options.publishBatch(), options.maxQueuedCalls());
        this.redis = new RedisClients(ShardConnection.clientOptions(options));
        this.deadlines = new Deadlines(redis.timer());
        AtomicInteger threads = new AtomicInteger();
        this.eventExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "thoonk-events-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.router = routers.create(redis, eventExecutor);
        } catch (RuntimeException e) {
            shutdownClient();
            eventExecutor.shutdownNow();
            throw e;
        }
    }

    public static Thoonk connect(String redisUri, ThoonkOptions options) {
        Objects.requireNonNull(redisUri, "redisUri == null");
        return new DefaultThoonk(options, (redis, callbacks) -> {
            CompletableFuture<ShardConnection> connecting = ShardConnection.connect(redis, redisUri,
                    options.redisCredentials(), options.maxQueuedCalls());
            try {
                ShardConnection shard = Await.await(connecting, options.commandTimeout());
                ClusterShardCheck.check(shard, options);
                return new SingleShardRouter(shard);
            } catch (RuntimeException e) {
                connecting.thenAccept(ShardConnection::closeAsync);
                throw e;
            }
        });
    }

    public static Thoonk connectCluster(java.util.List<String> coordinators, ThoonkOptions options) {
        Objects.requireNonNull(coordinators, "coordinators == null");
        return new DefaultThoonk(options, (redis, callbacks) ->
                DirectoryRouter.start(coordinators, redis, callbacks, options.commandTimeout(),
                        options.redisCredentials(), options.maxQueuedCalls()));
    }

    /** 96 random bits, URL-safe base64 (16 characters), and a separator. */
    private static String randomRequestPrefix() {
        byte[] bytes = new byte[12];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + ":";
    }

    @Override
    public ThoonkOptions options() {
        return options;
    }

    ShardRouter router() {
        return router;
    }

    String defaultHistoryLength() {
        return defaultHistoryLength;
    }

    PublishCoalescer publishCoalescer() {
        return publishCoalescer;
    }

    /** Fails {@code call} with a {@link ThoonkTimeoutException} about {@code object} after {@code deadline}. */
    <T> CompletableFuture<T> within(CompletableFuture<T> call, Duration deadline, String object) {
        return within(call, deadline, () -> new ThoonkTimeoutException("no answer for '" + object
                + "' within " + deadline + " (ThoonkOptions.commandTimeout)"));
    }

    /**
     * Fails {@code call} with a {@link ThoonkTimeoutException} about {@code object} of {@code team}
     * after {@code deadline}, saying why when the directory says the team's shard failed.
     */
    <T> CompletableFuture<T> within(CompletableFuture<T> call, Duration deadline, String object, String team) {
        return within(call, deadline, () -> new ThoonkTimeoutException("no answer for '" + object
                + "' within " + deadline + " (ThoonkOptions.commandTimeout)" + shardFailure(team)));
    }

    /**
     * {@code "; shard 's' is SHARD_FAILED: why"} when the directory says so of {@code team}'s shard
     * now (its primary is down and there was nothing to promote), else empty: what a call that got
     * no answer should be told. Never blocks.
     */
    String shardFailure(String team) {
        Route now;
        try {
            now = router().route(team).getNow(null);
        } catch (RuntimeException unknown) {
            return ""; // no route known: nothing to add
        }
        return now == null || now.failure().isEmpty() ? "" : "; " + now.failure();
    }

    /** Fails {@code call} with {@code failure} after {@code deadline}. */
    <T> CompletableFuture<T> within(CompletableFuture<T> call, Duration deadline,
                                    java.util.function.Supplier<? extends RuntimeException> failure) {
        return deadlines.within(call, deadline, failure);
    }

    /**
     * A new request id: unique per write call across clients and time (a random id of this client
     * object, not the configurable instance id, which two processes might share, and a counter).
     * Every attempt of one call sends the same one, so a shard answers a repeat without applying it.
     */
    String nextRequestId() {
        return requestPrefix + Long.toString(requests.incrementAndGet(), 36);
    }

    @Override
    public Feed feed(String name) {
        return new BlockingFeed(new AsyncFeedImpl(this, name, options.durability()));
    }

    @Override
    public SortedFeed sortedFeed(String name) {
        return new BlockingSortedFeed(new AsyncSortedFeedImpl(this, name, options.durability()));
    }

    @Override
    public Queue queue(String name) {
        return new BlockingQueue(new AsyncQueueImpl(this, name, options.durability()));
    }

    @Override
    public Jobs jobs(String name) {
        return new BlockingJobs(new AsyncJobsImpl(this, name, options.durability()));
    }

    @Override
    public Registry registry() {
        return new DefaultRegistry(this);
    }

    /**
     * "From now" means after the revision current when called (read through the fenced read path,
     * so a stale route is refused and rerouted), replayed from the history once subscribed: so even
     * an object subscription that has not received anything yet catches up after a reconnect, and
     * one made inside a listener (see {@link #awaitSubscription}) misses nothing either.
     */
    @Override
    public Subscription subscribe(String name, EventListener listener) {
        Names.objectName(name);
        Objects.requireNonNull(listener, "listener == null");
        long current = Await.awaitCall(new AnyObject(this, name).revision(), options.commandTimeout());
        return awaitSubscription(subscribeAsync(name, false, current + 1, listener), name, false, listener);
    }

    @Override
    public Subscription subscribe(String name, long fromRevision, EventListener listener) {
        Names.revision(fromRevision);
        return awaitSubscription(subscribeAsync(Names.objectName(name), false, fromRevision, listener), name, false,
                listener);
    }

    @Override
    public Subscription subscribePattern(String pattern, EventListener listener) {
        return awaitSubscription(subscribeAsync(Names.pattern(pattern), true, -1, listener), pattern, true, listener);
    }

    /**
     * Waits for a subscription at most the command timeout; one that is made only after the caller
     * gave up (and saw the exception) is closed at once, so no listener hears events it was told
     * it would not.
     *
     * <p>On one of this client's pub/sub I/O threads (inside a listener) it does not wait: Redis's
     * acknowledgement would be read by a pub/sub thread, perhaps this very one. The subscription is
     * handed out at once and becomes active when acknowledged ({@link OpeningSubscription}).
     */
    private Subscription awaitSubscription(CompletableFuture<Subscription> sub, String target, boolean pattern,
                                           EventListener listener) {
        if (redis.onPubSubThread()) {
            return new OpeningSubscription(target, pattern, sub, listener, this);
        }
        try {
            return Await.await(sub, options.commandTimeout());
        } catch (RuntimeException e) {
            sub.thenAccept(Subscription::close);
            throw e;
        }
    }

    /** Whether the caller runs on one of this client's pub/sub I/O threads, where listeners run. */
    boolean onPubSubThread() {
        return redis.onPubSubThread();
    }

    CompletableFuture<Subscription> subscribeAsync(String target, boolean pattern, long fromRevision,
                                                   EventListener listener) {
        Objects.requireNonNull(listener, "listener == null");
        java.util.Optional<String> team = pattern ? options.teamRule().teamOfPattern(target)
                : java.util.Optional.of(options.teamRule().teamOf(target));
        if (team.isEmpty()) {
            return FanOutSubscription.open(router, target, listener, this::history, eventExecutor,
                    options.commandTimeout());
        }
        return FollowingSubscription.open(router, team.get(), target, pattern, fromRevision, listener, this::history,
                eventExecutor, options.commandTimeout());
    }

    /** Where subscriptions replay from: the object's history on its team's shard, fenced and rerouted. */
    private CompletableFuture<History.Slice> history(String object, long from, long to) {
        return new AnyObject(this, object).history(from, to);
    }

    /**
     * Closes the router (coordinator channel, shard connections) and Lettuce's resources; each step
     * waits a bounded time (a few seconds in all), then leaves what remains to close in the background.
     * Called inside a listener (on a pub/sub I/O thread, which the closing needs), it returns at once
     * and the closing goes on in a thread of its own.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (redis.onPubSubThread()) {
                Thread closer = new Thread(this::closeAll, "thoonk-close");
                closer.setDaemon(true);
                closer.start();
            } else {
                closeAll();
            }
        }
    }

    private void closeAll() {
        router.close();
        shutdownClient();
        eventExecutor.shutdownNow();
    }

    private void shutdownClient() {
        ShardConnection.awaitClosed(redis.shutdownAsync(ShardConnection.CLOSE_TIMEOUT.toMillis()), "the Redis clients");
    }
}
