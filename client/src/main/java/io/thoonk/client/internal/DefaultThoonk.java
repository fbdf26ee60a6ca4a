package io.thoonk.client.internal;

import io.lettuce.core.RedisClient;
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
import io.thoonk.contract.Keys;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** {@link Thoonk} on one Redis primary. */
public final class DefaultThoonk implements Thoonk {

    private final ThoonkOptions options;
    private final RedisClient client;
    private final ShardRouter router;
    private final ExecutorService eventExecutor;
    private final String defaultHistoryLength;
    private final PublishCoalescer publishCoalescer;
    private final Deadlines deadlines;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Makes the client's router from its Redis client and callback executor. */
    @FunctionalInterface
    interface RouterFactory {
        ShardRouter create(RedisClient client, java.util.concurrent.Executor callbacks);
    }

    private DefaultThoonk(ThoonkOptions options, RouterFactory routers) {
        this.options = Objects.requireNonNull(options, "options == null");
        this.defaultHistoryLength = Integer.toString(options.historyLength());
        this.publishCoalescer = new PublishCoalescer(options.publishBatch(), options.maxQueuedCalls());
        this.client = RedisClient.create();
        client.setOptions(ShardConnection.clientOptions(options));
        this.deadlines = new Deadlines(client.getResources().timer());
        AtomicInteger threads = new AtomicInteger();
        this.eventExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "thoonk-events-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.router = routers.create(client, eventExecutor);
        } catch (RuntimeException e) {
            shutdownClient();
            eventExecutor.shutdownNow();
            throw e;
        }
    }

    public static Thoonk connect(String redisUri, ThoonkOptions options) {
        Objects.requireNonNull(redisUri, "redisUri == null");
        return new DefaultThoonk(options, (client, callbacks) -> {
            CompletableFuture<ShardConnection> connecting = ShardConnection.connect(client, redisUri,
                    options.maxQueuedCalls());
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
        return new DefaultThoonk(options, (client, callbacks) ->
                DirectoryRouter.start(coordinators, client, callbacks, options.commandTimeout(),
                        options.maxQueuedCalls()));
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
        return deadlines.within(call, deadline, () -> new ThoonkTimeoutException("no answer for '" + object
                + "' within " + deadline + " (ThoonkOptions.commandTimeout)"));
    }

    @Override
    public Feed feed(String name) {
        return new BlockingFeed(new AsyncFeedImpl(this, name));
    }

    @Override
    public SortedFeed sortedFeed(String name) {
        return new BlockingSortedFeed(new AsyncSortedFeedImpl(this, name));
    }

    @Override
    public Queue queue(String name) {
        return new BlockingQueue(new AsyncQueueImpl(this, name));
    }

    @Override
    public Jobs jobs(String name) {
        return new BlockingJobs(new AsyncJobsImpl(this, name));
    }

    @Override
    public Registry registry() {
        return new DefaultRegistry(this);
    }

    /**
     * "From now" means from the revision current just before subscribing: so even an object
     * subscription that has not received anything yet catches up after a reconnect.
     */
    @Override
    public Subscription subscribe(String name, EventListener listener) {
        Names.objectName(name);
        Objects.requireNonNull(listener, "listener == null");
        CompletableFuture<Subscription> sub = router.route(options.teamRule().teamOf(name))
                .thenCompose(route -> route.shard().commands().get(Keys.revision(name)))
                .thenCompose(rev -> subscribeAsync(name, false, (rev == null ? 0 : Long.parseLong(rev)) + 1, listener));
        return awaitSubscription(sub);
    }

    @Override
    public Subscription subscribe(String name, long fromRevision, EventListener listener) {
        Names.revision(fromRevision);
        return awaitSubscription(subscribeAsync(Names.objectName(name), false, fromRevision, listener));
    }

    @Override
    public Subscription subscribePattern(String pattern, EventListener listener) {
        return awaitSubscription(subscribeAsync(Names.pattern(pattern), true, -1, listener));
    }

    /**
     * Waits for a subscription at most the command timeout; one that is made only after the caller
     * gave up (and saw the exception) is closed at once, so no listener hears events it was told
     * it would not.
     */
    private Subscription awaitSubscription(CompletableFuture<Subscription> sub) {
        try {
            return Await.await(sub, options.commandTimeout());
        } catch (RuntimeException e) {
            sub.thenAccept(Subscription::close);
            throw e;
        }
    }

    CompletableFuture<Subscription> subscribeAsync(String target, boolean pattern, long fromRevision,
                                                   EventListener listener) {
        Objects.requireNonNull(listener, "listener == null");
        java.util.Optional<String> team = pattern ? options.teamRule().teamOfPattern(target)
                : java.util.Optional.of(options.teamRule().teamOf(target));
        if (team.isEmpty()) {
            return FanOutSubscription.open(router, target, listener, eventExecutor, options.commandTimeout());
        }
        return FollowingSubscription.open(router, team.get(), target, pattern, fromRevision, listener, eventExecutor,
                options.commandTimeout());
    }

    /**
     * Closes the router (coordinator channel, shard connections) and Lettuce's resources; each step
     * waits a bounded time (a few seconds in all), then leaves what remains to close in the background.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            router.close();
            shutdownClient();
            eventExecutor.shutdownNow();
        }
    }

    private void shutdownClient() {
        ShardConnection.awaitClosed(client.shutdownAsync(0, ShardConnection.CLOSE_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS), "the Redis client");
    }
}
