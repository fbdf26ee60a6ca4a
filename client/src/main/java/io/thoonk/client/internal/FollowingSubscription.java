package io.thoonk.client.internal;

import io.thoonk.client.EventListener;
import io.thoonk.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A subscription to one object, or to a pattern within one team, that follows its team: when the
 * team moves or its shard's primary changes, it subscribes on the new shard, continuing every
 * object after the last revision it delivered (replayed from the history), and then lets go of
 * the old one. The listener sees one gap-free sequence: both parts deliver through one inline
 * {@link SerialExecutor}, so never concurrently.
 *
 * <p>Moves run on {@code executor} (they wait for Redis), one at a time; requests that come while
 * one is pending are folded into it.
 */
final class FollowingSubscription implements Subscription, ShardRouter.RouteListener {

    private static final Logger log = LoggerFactory.getLogger(FollowingSubscription.class);

    private final ShardRouter router;
    private final String team;
    private final String target;
    private final boolean pattern;
    private final EventListener listener;
    private final DefaultSubscription.HistorySource history;
    private final Duration timeout;
    private final SerialExecutor delivery = SerialExecutor.inline();
    private final SerialExecutor moves;
    private final AtomicBoolean followPending = new AtomicBoolean();
    private volatile DefaultSubscription current;
    private volatile boolean closed;

    private FollowingSubscription(ShardRouter router, String team, String target, boolean pattern,
                                  EventListener listener, DefaultSubscription.HistorySource history,
                                  Executor executor, Duration timeout) {
        this.router = router;
        this.team = team;
        this.target = target;
        this.pattern = pattern;
        this.listener = listener;
        this.history = history;
        this.timeout = timeout;
        this.moves = new SerialExecutor(executor);
    }

    static CompletableFuture<Subscription> open(ShardRouter router, String team, String target, boolean pattern,
                                                long fromRevision, EventListener listener,
                                                DefaultSubscription.HistorySource history, Executor executor,
                                                Duration timeout) {
        FollowingSubscription f = new FollowingSubscription(router, team, target, pattern, listener, history, executor,
                timeout);
        return router.route(team)
                .thenCompose(route -> DefaultSubscription.open(route.shard(), target, pattern, fromRevision, listener,
                        f.delivery, history, timeout))
                .thenApply(sub -> {
                    f.current = sub;
                    router.addListener(f);
                    f.requestFollow();
                    return f;
                });
    }

    @Override
    public void teamChanged(String changed) {
        if (changed.equals(team)) {
            requestFollow();
        }
    }

    @Override
    public void shardChanged(String shardId) {
        requestFollow();
    }

    private void requestFollow() {
        if (followPending.compareAndSet(false, true)) {
            moves.execute(() -> {
                followPending.set(false);
                follow();
            });
        }
    }

    /** Moves to the team's current shard if it is not the one subscribed on. */
    private void follow() {
        if (closed) {
            return;
        }
        try {
            Route route = Await.await(router.route(team), timeout);
            DefaultSubscription old = current;
            if (route.shard() == old.shard()) {
                return;
            }
            var resume = Await.await(old.handOver(), timeout);
            current = Await.await(DefaultSubscription.open(route.shard(), target, pattern, resume, listener, delivery,
                    history, timeout), timeout);
            if (closed) {
                current.close();
            }
        } catch (RuntimeException e) {
            log.warn("subscription to {} could not follow team {} to its new shard: {}", target, team, e.toString());
            listener.onError(e);
        }
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public boolean isPattern() {
        return pattern;
    }

    @Override
    public long lastRevision(String object) {
        return current.lastRevision(object);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            router.removeListener(this);
            current.close();
        }
    }
}
