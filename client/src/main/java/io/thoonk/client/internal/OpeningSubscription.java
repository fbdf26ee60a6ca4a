package io.thoonk.client.internal;

import io.thoonk.client.EventListener;
import io.thoonk.client.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;

/**
 * A subscription made on a pub/sub I/O thread (inside a listener), where waiting for Redis to
 * acknowledge it could wait for the thread itself: handed out at once, active once acknowledged.
 * What an object subscription delivers is the same as if the caller had waited (it starts from a
 * revision fixed before this is handed out, and replays up to the live events once subscribed);
 * a pattern subscription hears what is published after Redis acknowledged it.
 *
 * <p>Failing to open within the command timeout reaches the listener's {@code onError}. Closing
 * before it is open closes it as soon as it is.
 */
final class OpeningSubscription implements Subscription {

    private static final Logger log = LoggerFactory.getLogger(OpeningSubscription.class);

    private final String target;
    private final boolean pattern;
    private final CompletableFuture<Subscription> opening;
    private volatile boolean closed;

    OpeningSubscription(String target, boolean pattern, CompletableFuture<Subscription> opening,
                        EventListener listener, DefaultThoonk thoonk) {
        this.target = target;
        this.pattern = pattern;
        this.opening = opening;
        CompletableFuture<Subscription> inTime = thoonk.within(opening.thenApply(s -> s),
                thoonk.options().commandTimeout(), target);
        inTime.whenComplete((sub, error) -> {
            if (error != null) {
                closed = true;
                log.warn("subscribing to {} from a listener failed: {}", target, error.toString());
                try {
                    listener.onError(Await.rethrow(error));
                } catch (RuntimeException e) {
                    log.warn("listener callback threw", e);
                }
            }
        });
        opening.thenAccept(sub -> {
            if (closed) {
                sub.close();
            }
        });
    }

    private Subscription opened() {
        return opening.isDone() && !opening.isCompletedExceptionally() ? opening.join() : null;
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
        Subscription sub = opened();
        return sub == null ? -1 : sub.lastRevision(object);
    }

    @Override
    public void close() {
        closed = true;
        Subscription sub = opened();
        if (sub != null) {
            sub.close();
        }
    }
}
