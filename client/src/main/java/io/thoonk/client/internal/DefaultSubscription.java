package io.thoonk.client.internal;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Subscription;
import io.thoonk.contract.Keys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A subscription to one object or a pattern on one Redis.
 *
 * <p>It listens on the extension channel {@code feed.event:} (events with revisions) and on the
 * contract channels (so it also hears peers that keep no revisions). Each of our changes is
 * announced first on the extension channel, carrying how many contract messages ("echoes") follow
 * it; Redis delivers one connection's messages in publish order and runs a script atomically, so
 * the next {@code echoes} contract messages of that object are exactly those echoes, and are
 * dropped. Any other contract message is a peer's and is delivered with revision 0.
 *
 * <p>Delivery runs on the pub/sub connection's I/O thread, as messages arrive, with no hand-off
 * to another thread (a thread wake-up per event is most of what a hand-off costs). It goes through
 * an inline {@link SerialExecutor}, shared by every part of one user-facing subscription, so the
 * listener is never called concurrently even when parts on two shards deliver at once, and a
 * listener that causes another delivery does not recurse into itself. Per object, revisions are
 * delivered in order: older or repeated ones are dropped, a skipped one triggers a replay from the
 * history first, and a reconnect triggers a catch-up replay of every object seen. Replays read
 * the history through {@link HistorySource} on command connections (whose replies other threads
 * read: see {@link RedisClients}), so waiting for them here is safe.
 */
final class DefaultSubscription implements Subscription, SubscriptionHub.Target {

    private static final Logger log = LoggerFactory.getLogger(DefaultSubscription.class);

    /** Where replays come from: an object's history, routed and fenced like any read. */
    @FunctionalInterface
    interface HistorySource {
        /** The events of {@code object} from {@code from} to {@code to} ({@code -1}: the current revision). */
        CompletableFuture<History.Slice> read(String object, long from, long to);
    }

    /**
     * Per-object state. {@code pendingEchoes} belongs to the I/O thread that receives messages
     * (echoes are dropped there, before delivery); {@code lastRevision} to the delivery executor.
     */
    private static final class Tracker {
        int pendingEchoes;
        volatile long lastRevision = -1;
    }

    private final ShardConnection shard;
    private final String target;
    private final boolean pattern;
    private final EventListener listener;
    private final SerialExecutor delivery;
    private final HistorySource history;
    private final Duration timeout;
    private final List<String> channels = new ArrayList<>();
    private final Map<String, Tracker> trackers = new ConcurrentHashMap<>();
    /** The tracker of the one object of a non-pattern subscription (null for a pattern): no lookup per message. */
    private final Tracker own;
    private volatile SubscriptionHub hub;
    private volatile boolean closed;

    private DefaultSubscription(ShardConnection shard, String target, boolean pattern, EventListener listener,
                                SerialExecutor delivery, HistorySource history, Duration timeout) {
        this.shard = shard;
        this.target = target;
        this.pattern = pattern;
        this.listener = listener;
        this.delivery = delivery;
        this.history = history;
        this.timeout = timeout;
        for (String prefix : Keys.CHANNEL_PREFIXES) {
            channels.add(prefix + target);
        }
        this.own = pattern ? null : tracker(target);
    }

    /**
     * Subscribes; completes once Redis confirmed it. With {@code fromRevision >= 0} (objects only),
     * then replays the history from that revision.
     */
    static CompletableFuture<DefaultSubscription> open(ShardConnection shard, String target, boolean pattern,
                                                       long fromRevision, EventListener listener,
                                                       SerialExecutor delivery, HistorySource history,
                                                       Duration timeout) {
        Map<String, Long> resume = fromRevision >= 0 ? Map.of(target, Math.max(0, fromRevision - 1)) : Map.of();
        return open(shard, target, pattern, resume, listener, delivery, history, timeout);
    }

    /**
     * Subscribes on {@code shard}, continuing each object of {@code resume} after its given last
     * delivered revision: how a subscription moves to another shard or primary without a gap.
     *
     * <p>Completes once Redis acknowledged the subscription; the replays of {@code resume} then run
     * on the thread that read the acknowledgement (the pub/sub I/O thread), before it reads any
     * later message, so nothing published after the replays' reads is missed and nothing is
     * delivered out of order. A subscription that fails to open is closed.
     */
    static CompletableFuture<DefaultSubscription> open(ShardConnection shard, String target, boolean pattern,
                                                       Map<String, Long> resume, EventListener listener,
                                                       SerialExecutor delivery, HistorySource history,
                                                       Duration timeout) {
        DefaultSubscription sub = new DefaultSubscription(shard, target, pattern, listener, delivery, history, timeout);
        resume.forEach((object, last) -> sub.tracker(object).lastRevision = last);
        CompletableFuture<DefaultSubscription> opened = new CompletableFuture<>();
        shard.hub().thenCompose(hub -> {
            sub.hub = hub;
            return hub.subscribe(sub.channels, pattern, sub);
        }).whenComplete((ok, error) -> {
            if (error != null) {
                sub.close();
                opened.completeExceptionally(Await.unwrap(error));
                return;
            }
            opened.complete(sub);
            resume.keySet().forEach(object -> sub.delivery.execute(() -> sub.catchUp(object, sub.tracker(object))));
        });
        return opened;
    }

    /**
     * Closes this subscription between two deliveries and answers the last delivered revision of
     * every object seen: exactly where to continue elsewhere (nothing is delivered after it).
     */
    CompletableFuture<Map<String, Long>> handOver() {
        CompletableFuture<Map<String, Long>> last = new CompletableFuture<>();
        delivery.execute(() -> {
            close();
            last.complete(lastRevisions());
        });
        return last;
    }

    private Map<String, Long> lastRevisions() {
        Map<String, Long> out = new java.util.HashMap<>();
        trackers.forEach((object, t) -> {
            if (t.lastRevision >= 0) {
                out.put(object, t.lastRevision);
            }
        });
        return out;
    }

    ShardConnection shard() {
        return shard;
    }

    private Tracker tracker(String object) {
        return trackers.computeIfAbsent(object, o -> new Tracker());
    }

    /**
     * Runs on the pub/sub connection's I/O thread, in message order: decodes, drops the contract
     * echoes of our own changes, and delivers the rest. {@code index} is the channel's position in
     * {@link #channels}, which follows {@link Keys#CHANNEL_PREFIXES} (0: the event channel). This is
     * the per-event path: for one object, no parsing of the channel and no map lookup.
     */
    @Override
    public void onMessage(int index, String channel, String message) {
        if (closed) {
            return;
        }
        String prefix = Keys.CHANNEL_PREFIXES.get(index);
        String object = pattern ? channel.substring(prefix.length()) : target;
        Tracker t = pattern ? tracker(object) : own;
        if (index == 0) {
            onRevisioned(object, t, message);
        } else {
            onContract(object, t, prefix, message);
        }
    }

    private void onRevisioned(String object, Tracker t, String message) {
        EventCodec.Revisioned decoded = EventCodec.decodeRevisioned(object, message);
        if (decoded == null) {
            log.debug("ignoring malformed event on {}: {}", object, message);
            return;
        }
        t.pendingEchoes = decoded.echoes();
        Event event = decoded.event();
        long revision = event == null ? revisionOf(message) : event.revision();
        delivery.execute(() -> deliverRevisioned(object, t, revision, event));
    }

    private void onContract(String object, Tracker t, String prefix, String message) {
        if (t.pendingEchoes > 0) {
            t.pendingEchoes--;
            return;
        }
        Event event = EventCodec.decodeContract(object, prefix, message);
        if (event != null) {
            delivery.execute(() -> deliver(event));
        }
    }

    /** Runs on the I/O thread once the resubscription after a reconnect was acknowledged. */
    @Override
    public void onReconnected() {
        trackers.values().forEach(t -> t.pendingEchoes = 0);
        delivery.execute(() -> trackers.forEach((object, t) -> {
            if (t.lastRevision >= 0) {
                catchUp(object, t);
            }
        }));
    }

    /** In revision order: older or repeated revisions are dropped, a skipped one is replayed first. */
    private void deliverRevisioned(String object, Tracker t, long revision, Event event) {
        if (closed) {
            return;
        }
        if (t.lastRevision >= 0) {
            if (revision <= t.lastRevision) {
                return;
            }
            if (revision > t.lastRevision + 1) {
                fill(object, t, revision - 1);
            }
        }
        if (event != null) {
            deliver(event);
        }
        t.lastRevision = revision;
    }

    private static long revisionOf(String message) {
        return Long.parseLong(message.substring(0, message.indexOf('\0')));
    }

    /** Replays everything after the last delivered revision, up to the current one. */
    private void catchUp(String object, Tracker t) {
        fill(object, t, -1);
    }

    /**
     * Delivers the history from {@code t.lastRevision + 1} to {@code to} (-1 = current). Blocks the
     * delivering thread until read (at most the command timeout): later events must wait anyway.
     */
    private void fill(String object, Tracker t, long to) {
        if (closed) {
            return;
        }
        long from = t.lastRevision + 1;
        log.debug("fill {} from {} to {}", object, from, to);
        try {
            History.Slice slice = Await.await(history.read(object, from, to), timeout);
            if (slice.lost()) {
                listener.onHistoryLost(object, slice.lostFrom(), slice.lostUntil());
            }
            for (Event e : slice.events()) {
                if (e.revision() > t.lastRevision) {
                    deliver(e);
                    t.lastRevision = e.revision();
                }
            }
            t.lastRevision = Math.max(t.lastRevision, to >= 0 ? to : slice.current());
        } catch (RuntimeException e) {
            log.warn("could not replay the history of {} from revision {}: {}", object, from, e.toString());
            safely(() -> listener.onError(e));
            if (to >= 0) {
                safely(() -> listener.onHistoryLost(object, from, to + 1));
                t.lastRevision = to;
            }
        }
    }

    private void deliver(Event event) {
        if (closed) {
            return;
        }
        try {
            listener.onEvent(event);
        } catch (RuntimeException | Error e) {
            log.warn("listener of {} threw on {}", target, event, e);
            safely(() -> listener.onError(e));
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("listener callback threw", e);
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
        Tracker t = trackers.get(object);
        return t == null ? -1 : t.lastRevision;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            SubscriptionHub h = hub;
            if (h != null) {
                h.unsubscribe(channels, pattern, this);
            }
        }
    }
}
