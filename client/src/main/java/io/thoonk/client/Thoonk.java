package io.thoonk.client;

import io.thoonk.client.internal.DefaultThoonk;

/**
 * Entry point: live Thoonk objects on a Redis server.
 *
 * <pre>{@code
 * try (Thoonk thoonk = Thoonk.connect("redis://localhost:6379")) {
 *     Feed feed = thoonk.feed("team:353:news");
 *     feed.subscribe(event -> System.out.println(event));
 *     Published p = feed.publish("{\"title\":\"hello\"}");
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance per process. It holds one command connection and, once
 * something subscribes, one pub/sub connection, whatever the number of objects; blocking
 * {@code get} calls borrow extra connections from a small pool. Objects handed out are cheap views.
 */
public interface Thoonk extends AutoCloseable {

    /** Connects to one Redis with default options. */
    static Thoonk connect(String redisUri) {
        return connect(redisUri, ThoonkOptions.defaults());
    }

    /**
     * Connects to one Redis. A Redis that a coordinator registered as a shard of a cluster (it
     * holds the key {@code thoonk.shard}) is connected to with a logged warning, or refused with
     * {@link ClusterShardException} when {@link ThoonkOptions#refuseClusterShard()} is set: writing
     * to a shard directly skips the cluster's routing (use {@link #connectCluster} there).
     */
    static Thoonk connect(String redisUri, ThoonkOptions options) {
        return DefaultThoonk.connect(redisUri, options);
    }

    /**
     * Connects to a Thoonk cluster through its coordinators ({@code host:port}, any of which may be
     * down): every object goes to its team's shard, teams are resolved on first use and cached,
     * and moves and failovers are followed invisibly. The objects behave as with {@link #connect}.
     */
    static Thoonk connectCluster(java.util.List<String> coordinators, ThoonkOptions options) {
        return DefaultThoonk.connectCluster(coordinators, options);
    }

    /** {@link #connectCluster(java.util.List, ThoonkOptions)} with default options. */
    static Thoonk connectCluster(String... coordinators) {
        return connectCluster(java.util.List.of(coordinators), ThoonkOptions.defaults());
    }

    Feed feed(String name);

    SortedFeed sortedFeed(String name);

    Queue queue(String name);

    Jobs jobs(String name);

    Registry registry();

    /**
     * Events of one object from now on (after the revision current at the call). Returns once the
     * subscription is active; inside a listener, at once (see {@link EventListener}).
     */
    Subscription subscribe(String name, EventListener listener);

    /** Events of one object from {@code fromRevision}, then live; see {@link LiveObject#subscribe(long, EventListener)}. */
    Subscription subscribe(String name, long fromRevision, EventListener listener);

    /**
     * Events of every object whose name matches a Redis glob pattern, e.g. {@code team:353:*}.
     * Returns once the subscription is active; inside a listener, at once (see {@link EventListener}).
     */
    Subscription subscribePattern(String pattern, EventListener listener);

    ThoonkOptions options();

    /**
     * Closes every connection; idempotent. Subscriptions stop. Waits a few seconds at most; inside a
     * listener it returns at once and the closing goes on in the background.
     */
    @Override
    void close();
}
