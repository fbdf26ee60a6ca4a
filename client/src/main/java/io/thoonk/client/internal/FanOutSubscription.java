package io.thoonk.client.internal;

import io.thoonk.client.EventListener;
import io.thoonk.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * A pattern that spans teams (e.g. {@code team:*:tasks}): subscribed on every shard, including
 * shards added later; when a shard's primary changes, its part moves to the new primary and
 * continues each object after its last delivered revision. Every part delivers through one inline
 * {@link SerialExecutor}, so the listener is never called concurrently.
 */
final class FanOutSubscription implements Subscription, ShardRouter.RouteListener {

    private static final Logger log = LoggerFactory.getLogger(FanOutSubscription.class);

    private final ShardRouter router;
    private final String pattern;
    private final EventListener listener;
    private final DefaultSubscription.HistorySource history;
    private final Duration timeout;
    private final SerialExecutor delivery = SerialExecutor.inline();
    private final SerialExecutor changes;
    private final Map<String, DefaultSubscription> perShard = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private FanOutSubscription(ShardRouter router, String pattern, EventListener listener,
                               DefaultSubscription.HistorySource history, Executor executor, Duration timeout) {
        this.router = router;
        this.pattern = pattern;
        this.listener = listener;
        this.history = history;
        this.timeout = timeout;
        this.changes = new SerialExecutor(executor);
    }

    static CompletableFuture<Subscription> open(ShardRouter router, String pattern, EventListener listener,
                                                DefaultSubscription.HistorySource history, Executor executor,
                                                Duration timeout) {
        FanOutSubscription f = new FanOutSubscription(router, pattern, listener, history, executor, timeout);
        return router.shardsById().thenCompose(shards -> {
            List<CompletableFuture<Void>> opened = new ArrayList<>();
            shards.forEach((id, shard) -> opened.add(DefaultSubscription.open(shard, pattern, true, Map.of(),
                    listener, f.delivery, history, timeout).thenAccept(sub -> f.perShard.put(id, sub))));
            return CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new));
        }).thenApply(ok -> {
            router.addListener(f);
            f.changes.execute(f::sync);
            return f;
        });
    }

    @Override
    public void teamChanged(String team) {
        // teams moving between shards that are all subscribed change nothing here
    }

    @Override
    public void shardChanged(String shardId) {
        changes.execute(this::sync);
    }

    /** Subscribes on shards not yet covered and moves parts whose shard has a new primary. */
    private void sync() {
        if (closed) {
            return;
        }
        Map<String, ShardConnection> shards;
        try {
            shards = Await.await(router.shardsById(), timeout);
        } catch (RuntimeException e) {
            log.warn("pattern {} could not reach every shard: {}", pattern, e.toString());
            listener.onError(e);
            return;
        }
        perShard.keySet().removeIf(id -> {
            if (!shards.containsKey(id)) {
                perShard.get(id).close();
                return true;
            }
            return false;
        });
        shards.forEach((id, shard) -> {
            DefaultSubscription part = perShard.get(id);
            if (part != null && part.shard() == shard) {
                return;
            }
            try {
                Map<String, Long> resume = part == null ? Map.of() : Await.await(part.handOver(), timeout);
                perShard.put(id, Await.await(DefaultSubscription.open(shard, pattern, true, resume, listener, delivery,
                        history, timeout), timeout));
            } catch (RuntimeException e) {
                log.warn("pattern {} could not subscribe on shard {}: {}", pattern, id, e.toString());
                listener.onError(e);
            }
        });
    }

    @Override
    public String target() {
        return pattern;
    }

    @Override
    public boolean isPattern() {
        return true;
    }

    @Override
    public long lastRevision(String object) {
        return perShard.values().stream().mapToLong(s -> s.lastRevision(object)).max().orElse(-1);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            router.removeListener(this);
            perShard.values().forEach(DefaultSubscription::close);
        }
    }
}
