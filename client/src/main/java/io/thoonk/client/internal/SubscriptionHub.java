package io.thoonk.client.internal;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One pub/sub connection shared by every subscription to one Redis. Routes each message to the
 * subscriptions of its channel or pattern, on the connection's I/O thread (where they deliver it to
 * their listeners), and tells them when the connection came back so they can replay what they
 * missed. Lettuce re-issues the SUBSCRIBE/PSUBSCRIBE commands itself. Subscribing and unsubscribing
 * never wait: callers may be listeners, on this very connection's thread.
 */
public final class SubscriptionHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionHub.class);

    /** Receives messages of the channels or patterns it registered. */
    interface Target {
        /**
         * A message of the {@code index}-th name this target subscribed with (its position in the
         * list given to {@link #subscribe}), so that the target need not parse the channel to know
         * which of its names it came from.
         */
        void onMessage(int index, String channel, String message);

        void onReconnected();
    }

    /** One target's registration of one name: the target, and the name's position in its list. */
    private record Registration(Target target, int index) {
    }

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final Map<String, List<Registration>> channels = new ConcurrentHashMap<>();
    private final Map<String, List<Registration>> patterns = new ConcurrentHashMap<>();
    private volatile boolean connectedOnce;

    SubscriptionHub(StatefulRedisPubSubConnection<String, String> connection) {
        this.connection = connection;
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(channels.get(channel), channel, message);
            }

            @Override
            public void message(String pattern, String channel, String message) {
                deliver(patterns.get(pattern), channel, message);
            }
        });
        connection.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                log.debug("pub/sub connection up (again: {})", connectedOnce);
                if (connectedOnce) {
                    reconnected();
                }
                connectedOnce = true;
            }
        });
        connectedOnce = connection.isOpen();
    }

    /** Runs on the I/O thread for every message: one map lookup, then the registered targets. */
    private static void deliver(List<Registration> registrations, String channel, String message) {
        if (registrations != null) {
            for (Registration r : registrations) {
                r.target().onMessage(r.index(), channel, message);
            }
        }
    }

    /**
     * After a reconnect: subscribes again to every channel and pattern (idempotent on the server,
     * and independent of when Lettuce's own resubscription runs), and once Redis acknowledged
     * that, tells each target, which then replays what it missed. The acknowledgement is handled
     * on the I/O thread, so each target hears of the reconnect exactly between the messages that
     * came before it and those after it, and nothing published after the catch-up's read is lost.
     */
    private void reconnected() {
        CompletableFuture<Void> channelsBack;
        CompletableFuture<Void> patternsBack;
        synchronized (this) {
            channelsBack = channels.isEmpty() ? CompletableFuture.completedFuture(null)
                    : connection.async().subscribe(channels.keySet().toArray(String[]::new)).toCompletableFuture();
            patternsBack = patterns.isEmpty() ? CompletableFuture.completedFuture(null)
                    : connection.async().psubscribe(patterns.keySet().toArray(String[]::new)).toCompletableFuture();
        }
        CompletableFuture.allOf(channelsBack, patternsBack).whenComplete((ok, error) -> {
            if (error != null) {
                log.warn("resubscribing after a reconnect failed: {}", error.toString());
            }
            log.debug("resubscribed after reconnect; notifying targets");
            java.util.Set<Target> all = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            channels.values().forEach(list -> list.forEach(r -> all.add(r.target())));
            patterns.values().forEach(list -> list.forEach(r -> all.add(r.target())));
            all.forEach(Target::onReconnected);
        });
    }

    synchronized CompletableFuture<Void> subscribe(List<String> names, boolean pattern, Target target) {
        Map<String, List<Registration>> map = pattern ? patterns : channels;
        for (int i = 0; i < names.size(); i++) {
            map.computeIfAbsent(names.get(i), k -> new CopyOnWriteArrayList<>()).add(new Registration(target, i));
        }
        String[] array = names.toArray(String[]::new);
        return (pattern ? connection.async().psubscribe(array) : connection.async().subscribe(array))
                .toCompletableFuture();
    }

    synchronized void unsubscribe(List<String> names, boolean pattern, Target target) {
        Map<String, List<Registration>> map = pattern ? patterns : channels;
        List<String> unused = new java.util.ArrayList<>();
        for (String name : names) {
            List<Registration> registrations = map.get(name);
            if (registrations != null) {
                registrations.removeIf(r -> r.target() == target);
                if (registrations.isEmpty()) {
                    map.remove(name);
                    unused.add(name);
                }
            }
        }
        if (!unused.isEmpty() && connection.isOpen()) {
            String[] array = unused.toArray(String[]::new);
            if (pattern) {
                connection.async().punsubscribe(array);
            } else {
                connection.async().unsubscribe(array);
            }
        }
    }

    /** Closes the pub/sub connection without waiting. */
    CompletableFuture<Void> closeAsync() {
        return connection.closeAsync();
    }

    @Override
    public void close() {
        ShardConnection.awaitClosed(closeAsync(), "the pub/sub connection");
    }
}
