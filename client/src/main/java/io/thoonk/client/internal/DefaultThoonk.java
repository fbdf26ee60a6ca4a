package io.thoonk.client.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Jobs;
import io.thoonk.client.Queue;
import io.thoonk.client.Registry;
import io.thoonk.client.SortedFeed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Keys;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Makes the client's router from its Redis client and callback executor. */
    @FunctionalInterface
    interface RouterFactory {
        ShardRouter create(RedisClient client, java.util.concurrent.Executor callbacks);
    }

    private DefaultThoonk(ThoonkOptions options, RouterFactory routers) {
        this.options = Objects.requireNonNull(options, "options == null");
        this.defaultHistoryLength = Integer.toString(options.historyLength());
        this.publishCoalescer = new PublishCoalescer(options.publishBatch());
        this.client = RedisClient.create();
        client.setOptions(ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.builder().fixedTimeout(options.commandTimeout().plusSeconds(60)).build())
                .build());
        AtomicInteger threads = new AtomicInteger();
        this.eventExecutor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "thoonk-events-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            this.router = routers.create(client, eventExecutor);
        } catch (RuntimeException e) {
            client.shutdown();
            eventExecutor.shutdownNow();
            throw e;
        }
    }

    public static Thoonk connect(String redisUri, ThoonkOptions options) {
        Objects.requireNonNull(redisUri, "redisUri == null");
        return new DefaultThoonk(options, (client, callbacks) ->
                new SingleShardRouter(ShardConnection.connect(client, redisUri)));
    }

    public static Thoonk connectCluster(java.util.List<String> coordinators, ThoonkOptions options) {
        Objects.requireNonNull(coordinators, "coordinators == null");
        return new DefaultThoonk(options, (client, callbacks) -> {
            DirectoryRouter router = new DirectoryRouter(coordinators, client, callbacks);
            try {
                router.start();
            } catch (RuntimeException e) {
                router.close();
                throw e;
            }
            return router;
        });
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
        return Await.await(sub, options.commandTimeout());
    }

    @Override
    public Subscription subscribe(String name, long fromRevision, EventListener listener) {
        Names.revision(fromRevision);
        return Await.await(subscribeAsync(Names.objectName(name), false, fromRevision, listener),
                options.commandTimeout());
    }

    @Override
    public Subscription subscribePattern(String pattern, EventListener listener) {
        return Await.await(subscribeAsync(Names.pattern(pattern), true, -1, listener), options.commandTimeout());
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

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            router.close();
            client.shutdown();
            eventExecutor.shutdownNow();
        }
    }
}
