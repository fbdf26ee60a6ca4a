package io.thoonk.client.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.RedisAuthenticationException;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.thoonk.contract.RedisConnections;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Every connection to one Redis primary, in one place: one shared command connection (all
 * scripts, pipelined), one pub/sub connection created on first subscription (on the pub/sub
 * event loop, see {@link RedisClients}), and a small pool of connections for blocking waits, which
 * must not hold up the shared one.
 *
 * <p>Nothing here blocks: connections are opened asynchronously, because callers may run on a
 * Lettuce I/O thread (a callback of another command), and a blocking connect there can wait for
 * the very thread it blocks, which Lettuce also needs to set the new connection up.
 *
 * <p>Deadlines and bounds: every command fails after the client's command timeout (blocking waits
 * after their own wait plus that; see {@link #clientOptions}), and at most
 * {@link ThoonkOptions#maxQueuedCalls()} calls wait for this shard at a time ({@link #admit});
 * beyond that, calls fail at once, before Lettuce queues anything. Lettuce's own request queue is
 * bounded too, at twice that, for commands that do not go through {@link #admit}.
 */
public final class ShardConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardConnection.class);

    /** Longest single blocking wait; longer waits loop, so a lost reply never blocks forever. */
    static final Duration MAX_BLOCK = Duration.ofSeconds(30);
    /** How long {@link #close()} waits for the connections to close. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);
    /** Name of every connection in {@code CLIENT LIST}, so operators (and tests) can tell them. */
    public static final String CLIENT_NAME = "thoonk";

    private final RedisClients clients;
    private final RedisURI uri;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final Deque<StatefulRedisConnection<String, String>> idleBlocking = new ConcurrentLinkedDeque<>();
    /** Blocking connections lent to a wait, closed with the shard so no wait outlives its primary. */
    private final Set<StatefulRedisConnection<String, String>> lentBlocking = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<CompletableFuture<SubscriptionHub>> hub = new AtomicReference<>();
    private final int maxQueuedCalls;
    private final AtomicInteger queuedCalls = new AtomicInteger();
    private final Object replication = new Object();
    /** A WAIT is in flight on the shared connection; guarded by {@link #replication}. */
    private boolean waitInFlight;
    /** The answer of the WAIT to send once the one in flight answers, shared by every write sent meanwhile; guarded by {@link #replication}. */
    private CompletableFuture<Long> nextWait;

    private ShardConnection(RedisClients clients, RedisURI uri, StatefulRedisConnection<String, String> connection,
                            int maxQueuedCalls) {
        this.clients = clients;
        this.uri = uri;
        this.connection = connection;
        this.commands = connection.async();
        this.maxQueuedCalls = maxQueuedCalls;
    }

    /**
     * The Lettuce settings of a client's connections: a per-command timeout of
     * {@code commandTimeout} (a blocking wait gets its own wait on top), a bounded request queue,
     * and a connect timeout of {@code commandTimeout}.
     */
    static ClientOptions clientOptions(ThoonkOptions options) {
        long normal = options.commandTimeout().toNanos();
        long blocking = options.commandTimeout().plus(MAX_BLOCK).toNanos();
        TimeoutOptions.TimeoutSource perCommand = new TimeoutOptions.TimeoutSource() {
            @Override
            public long getTimeout(RedisCommand<?, ?, ?> command) {
                return command.getType() == CommandType.BLMOVE ? blocking : normal;
            }

            @Override
            public TimeUnit getTimeUnit() {
                return TimeUnit.NANOSECONDS;
            }
        };
        return ClientOptions.builder()
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(true).timeoutSource(perCommand).build())
                .requestQueueSize((int) Math.min(Integer.MAX_VALUE, 2L * options.maxQueuedCalls()))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.DEFAULT)
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).build())
                .build();
    }

    /**
     * Connects to {@code uri} ({@code redis://host:port}, or {@code redis://:password@host:port})
     * through {@code clients}, which may be shared by many shards, admitting at most
     * {@code maxQueuedCalls} calls at a time; every connection to the shard (commands, pub/sub,
     * blocking waits) authenticates with {@code credentials} or, when there are none, with what the
     * URI holds. Never blocks; fails with a {@link ThoonkConnectionException}, with a
     * {@link RedisAuthenticationException} when the node refuses the credentials, or with an
     * {@link InvalidArgumentException} for a malformed URI or credentials given both ways.
     */
    static CompletableFuture<ShardConnection> connect(RedisClients clients, String uri, RedisCredentials credentials,
                                                      int maxQueuedCalls) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new InvalidArgumentException(
                    "invalid Redis URI '" + withoutPassword(uri) + "': " + e.getMessage()));
        }
        if (credentials.isPresent()) {
            if (Failures.hasCredentials(parsed)) {
                return CompletableFuture.failedFuture(new InvalidArgumentException("the Redis URI '"
                        + withoutPassword(uri) + "' holds a password and ThoonkOptions.redisCredentials are set too: "
                        + "give them one way"));
            }
            parsed = credentials.applyTo(RedisURI.builder(parsed)).build();
        }
        parsed.setClientName(CLIENT_NAME);
        RedisURI target = parsed;
        return RedisConnections.open(() -> clients.commands().connectAsync(StringCodec.UTF8, target))
                .handle((conn, error) -> error == null
                        ? CompletableFuture.completedFuture(new ShardConnection(clients, target, conn, maxQueuedCalls))
                        : failedConnect(clients.commands(), target, error))
                .thenCompose(connected -> connected);
    }

    /** {@code uri} for messages: its user and password, if any, left out. */
    static String withoutPassword(String uri) {
        return uri.replaceFirst("//[^@/]*@", "//");
    }

    /**
     * The failure of a connect, worded for a person; when the URI's database does not exist, asks
     * database 0 how many there are (the server's {@code databases} setting) to say so.
     */
    private static CompletableFuture<ShardConnection> failedConnect(RedisClient client, RedisURI uri, Throwable error) {
        if (!Failures.isMissingDatabase(error)) {
            return CompletableFuture.failedFuture(Failures.cannotConnect("connect to", uri, error));
        }
        RedisURI first = RedisURI.builder(uri).withDatabase(0).build();
        return RedisConnections.open(() -> client.connectAsync(StringCodec.UTF8, first))
                .thenCompose(conn -> conn.async().configGet("databases").toCompletableFuture()
                        .whenComplete((config, e) -> conn.closeAsync()))
                .handle((config, e) -> Failures.missingDatabase(uri, e == null ? config.get("databases") : null, error))
                .thenCompose(CompletableFuture::failedFuture);
    }

    public RedisURI uri() {
        return uri;
    }

    /** Whether the shared command connection is up (false while Lettuce reconnects it). */
    boolean connected() {
        return connection.isOpen();
    }

    /** The failure of a call not sent because the shared connection is down: the primary is unavailable. */
    RedisConnectionException notConnected() {
        return new RedisConnectionException("not connected to " + uri.getHost() + ":" + uri.getPort()
                + " (reconnecting)");
    }

    /** The shared command connection's async API. */
    public RedisAsyncCommands<String, String> commands() {
        return commands;
    }

    /**
     * Runs {@code call} if fewer than {@link ThoonkOptions#maxQueuedCalls()} calls are waiting for
     * this shard, else fails at once with a {@link ThoonkConnectionException}: a shard that does not
     * answer must not collect calls until memory runs out.
     */
    <T> CompletableFuture<T> admit(Supplier<CompletableFuture<T>> call) {
        if (queuedCalls.incrementAndGet() > maxQueuedCalls) {
            queuedCalls.decrementAndGet();
            return CompletableFuture.failedFuture(new ThoonkConnectionException(maxQueuedCalls
                    + " calls are already waiting for Redis at " + uri.getHost() + ":" + uri.getPort()
                    + ", which is not keeping up or not answering (ThoonkOptions.maxQueuedCalls)", null));
        }
        CompletableFuture<T> running;
        try {
            running = call.get();
        } catch (RuntimeException e) {
            queuedCalls.decrementAndGet();
            throw e;
        }
        running.whenComplete((v, e) -> queuedCalls.decrementAndGet());
        return running;
    }

    /** Runs a contract script on the shared connection ({@link Script#run}: by SHA, the source once if needed). */
    public <T> CompletableFuture<T> run(Script script, ScriptOutputType type, String[] keys, String... args) {
        return script.run(commands, type, keys, args);
    }

    /**
     * Runs a contract script and then {@code WAIT 1 <waitMillis>} on the same connection: Redis
     * answers the WAIT once a replica has everything this connection wrote before it, the script's
     * changes included (a connection's commands run in order). Completes with the script's reply
     * once a replica confirmed; fails with {@code unconfirmed} when WAIT counted none in time, or
     * with the script's own error (then the WAIT's answer does not matter). A {@code NOSCRIPT}
     * sends the source and waits for replication again.
     *
     * <p>A WAIT holds up every command behind it on this connection until it answers: one replica
     * round trip while replicas keep up, but {@code waitMillis} when none answers. So at most one
     * WAIT is in flight here ({@link #awaitReplication}): the writes sent while one is share the
     * next, and a replica that dies holds the connection up for at most two replication timeouts,
     * not one per write in flight. Coalesced publishes to one feed are one script and share one too.
     */
    <T> CompletableFuture<T> runReplicated(Script script, ScriptOutputType type, String[] keys, String[] args,
                                           long waitMillis, Supplier<RuntimeException> unconfirmed) {
        CompletableFuture<T> bySha = commands.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
        CompletableFuture<Long> waited = awaitReplication(waitMillis);
        return bySha.handle((value, error) -> {
            if (error == null) {
                return confirmed(value, waited, unconfirmed);
            }
            if (!Script.isNoScript(error)) {
                return CompletableFuture.<T>failedFuture(error);
            }
            CompletableFuture<T> bySource = commands.<T>eval(script.source(), type, keys, args).toCompletableFuture();
            CompletableFuture<Long> again = awaitReplication(waitMillis);
            return bySource.thenCompose(v -> confirmed(v, again, unconfirmed));
        }).thenCompose(f -> f);
    }

    /**
     * The answer of a {@code WAIT 1 <waitMillis>} sent on the shared connection after every command
     * sent on it so far: sent now if no WAIT is in flight, else once the one in flight answers
     * (shared with every caller meanwhile). Callers send their write first, then call this.
     */
    private CompletableFuture<Long> awaitReplication(long waitMillis) {
        synchronized (replication) {
            if (waitInFlight) {
                if (nextWait == null) {
                    nextWait = new CompletableFuture<>();
                }
                return nextWait;
            }
            waitInFlight = true;
        }
        CompletableFuture<Long> answer = new CompletableFuture<>();
        sendWait(answer, waitMillis);
        return answer;
    }

    private void sendWait(CompletableFuture<Long> answer, long waitMillis) {
        CompletionStage<Long> sent;
        try {
            sent = commands.waitForReplication(1, waitMillis);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e); // never leave a WAIT marked in flight that was not sent
        }
        sent.whenComplete((replicas, error) -> {
            CompletableFuture<Long> next;
            synchronized (replication) {
                next = nextWait;
                nextWait = null;
                waitInFlight = next != null;
            }
            if (next != null) {
                sendWait(next, waitMillis);
            }
            if (error == null) {
                answer.complete(replicas);
            } else {
                answer.completeExceptionally(error);
            }
        });
    }

    private static <T> CompletableFuture<T> confirmed(T value, CompletableFuture<Long> waited,
                                                      Supplier<RuntimeException> unconfirmed) {
        return waited.thenApply(replicas -> {
            if (replicas == null || replicas < 1) {
                throw unconfirmed.get();
            }
            return value;
        });
    }

    /**
     * Waits until {@code listKey} holds an element or {@code timeout} passes, without taking
     * anything: a {@code BLMOVE} of the list onto itself (right to right) leaves it unchanged.
     * Completes with true if an element was there.
     */
    public CompletableFuture<Boolean> awaitElement(String listKey, Duration timeout) {
        double seconds = Math.min(MAX_BLOCK.toSeconds(), Math.max(0.01, timeout.toMillis() / 1000.0));
        return borrow().thenCompose(conn -> conn.async()
                .blmove(listKey, listKey, LMoveArgs.Builder.rightRight(), seconds).toCompletableFuture()
                .whenComplete((v, e) -> giveBack(conn))
                .thenApply(v -> v != null));
    }

    /** An idle blocking connection, or a new one; never blocks (callers may be on an I/O thread). */
    private CompletableFuture<StatefulRedisConnection<String, String>> borrow() {
        StatefulRedisConnection<String, String> conn;
        while ((conn = idleBlocking.pollFirst()) != null) {
            if (conn.isOpen()) {
                return CompletableFuture.completedFuture(lend(conn));
            }
        }
        return RedisConnections.open(() -> clients.blocking().connectAsync(StringCodec.UTF8, uri)).thenApply(this::lend);
    }

    private StatefulRedisConnection<String, String> lend(StatefulRedisConnection<String, String> conn) {
        lentBlocking.add(conn);
        if (closed.get()) {
            conn.closeAsync(); // closed meanwhile: its wait fails at once
        }
        return conn;
    }

    private void giveBack(StatefulRedisConnection<String, String> conn) {
        lentBlocking.remove(conn);
        if (closed.get() || !conn.isOpen() || idleBlocking.size() >= 16) {
            conn.closeAsync();
        } else {
            idleBlocking.addFirst(conn);
        }
    }

    /**
     * The pub/sub hub of this shard, connecting it on first use (asynchronously: see the class
     * comment). A failed connect is tried again by the next call.
     */
    public CompletableFuture<SubscriptionHub> hub() {
        while (true) {
            CompletableFuture<SubscriptionHub> current = hub.get();
            if (current != null && !current.isCompletedExceptionally()) {
                return current;
            }
            CompletableFuture<SubscriptionHub> fresh = new CompletableFuture<>();
            if (!hub.compareAndSet(current, fresh)) {
                continue;
            }
            if (closed.get()) {
                fresh.completeExceptionally(new ThoonkConnectionException("the client is closed", null));
                return fresh;
            }
            RedisConnections.open(() -> clients.pubsub().connectPubSubAsync(StringCodec.UTF8, uri)).whenComplete((conn, error) -> {
                if (error != null) {
                    fresh.completeExceptionally(Failures.cannotConnect("open a pub/sub connection to", uri, error));
                } else {
                    SubscriptionHub opened = new SubscriptionHub(conn);
                    fresh.complete(opened);
                    if (closed.get()) {
                        opened.closeAsync();
                    }
                }
            });
            return fresh;
        }
    }

    /** Closes every connection of this shard without waiting; idempotent. */
    CompletableFuture<Void> closeAsync() {
        if (!closed.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> closing = new ArrayList<>();
        CompletableFuture<SubscriptionHub> h = hub.get();
        if (h != null) {
            closing.add(h.thenCompose(SubscriptionHub::closeAsync).exceptionally(e -> null));
        }
        StatefulRedisConnection<String, String> conn;
        while ((conn = idleBlocking.pollFirst()) != null) {
            closing.add(conn.closeAsync());
        }
        for (StatefulRedisConnection<String, String> lent : lentBlocking) {
            closing.add(lent.closeAsync()); // the waits on them fail, and wait again on the team's new route
        }
        closing.add(connection.closeAsync());
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    /** Closes every connection of this shard, waiting at most {@link #CLOSE_TIMEOUT}; idempotent. */
    @Override
    public void close() {
        awaitClosed(closeAsync(), "connections to " + uri);
    }

    /** Waits for {@code closing} at most {@link #CLOSE_TIMEOUT}, logging (not throwing) when it takes longer. */
    static void awaitClosed(CompletableFuture<?> closing, String what) {
        try {
            closing.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} did not close within {}; left to close in the background", what, CLOSE_TIMEOUT);
        } catch (ExecutionException e) {
            log.debug("closing {} failed: {}", what, e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "shard[" + uri.getHost() + ":" + uri.getPort() + "]";
    }
}
