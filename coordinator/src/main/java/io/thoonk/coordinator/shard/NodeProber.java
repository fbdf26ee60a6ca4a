package io.thoonk.coordinator.shard;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.thoonk.contract.RedisConnections;
import io.thoonk.contract.RedisCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Probes Redis nodes at a fixed interval ({@code PING} and {@code INFO replication}) and keeps one
 * {@link NodeReport} per node: whether it answers, its role, its primary and link, its replication
 * offset, and for how long it has been unreachable without a break.
 *
 * <p><b>Cost.</b> One thread (the prober's) schedules the probes and owns all state; the probes
 * themselves are asynchronous Lettuce commands on one connection per node, dialled once and kept
 * while it works, on an I/O thread shared by all nodes. A node whose probe has not finished is not
 * probed again, and every probe ends within {@link #timeout()}, so a hung node (e.g. SIGSTOPped)
 * reads as unreachable after one timeout and never delays the probes of the others. A connection
 * that fails or times out is closed and dialled again at the next probe, so nothing piles up on a
 * node that does not answer. A connection closed by the node (a killed process) is probed again at
 * once rather than at the next tick.
 *
 * <p><b>Reports.</b> The listener gets an immutable snapshot of every node's latest report, on the
 * prober's thread, one call at a time: after every tick, after a probe that changed a node's
 * reachability, role, primary or link, and the moment a node has been unreachable for
 * {@code downAfter} (so a consumer comparing against that threshold sees the crossing without
 * waiting for the next tick). A node gets its first report when its first probe ends. The
 * listener must return quickly (hand the snapshot on).
 *
 * <p><b>Credentials.</b> Every probing connection authenticates with the coordinator's
 * {@link RedisCredentials}. A node that refuses them reads as unreachable (nothing it says can be
 * trusted as probed), with an error that says so and what to check ({@code shard node h:p refused
 * our credentials (WRONGPASS, user 'default'): check ...}), logged once when it starts.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} (idempotent) stops probing and closes the
 * connections within {@link #CLOSE_TIMEOUT}: it stops the schedule first and ends the prober's
 * thread (a tick under way returns as soon as it sees the prober closed), then closes the
 * connections and waits for them; a probe that answers after that is dropped without a word.
 */
public final class NodeProber implements AutoCloseable {

    /** The name ({@code CLIENT SETNAME}) of the probing connections, as Redis lists them. */
    public static final String CLIENT_NAME = "thoonk-coordinator-probe";
    /** The shortest time a node gets to answer a probe before it counts as unreachable. */
    public static final Duration MIN_PROBE_TIMEOUT = Duration.ofMillis(250);
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(NodeProber.class);
    private static final AtomicInteger probers = new AtomicInteger();
    private static final long NEVER = Long.MIN_VALUE;
    /** How often a probe also reads a node's memory and operation rate, when someone {@link #observe observes}. */
    static final Duration LOAD_EVERY = Duration.ofSeconds(1);

    private enum State { LATENT, STARTED, CLOSED }

    private final Duration interval;
    private final Duration timeout;
    private final Duration downAfter;
    private final UnaryOperator<String> dial;
    private final RedisCredentials credentials;
    private final CredentialRefusals refusals;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor thread;
    private final ClientResources resources;
    private final RedisClient client;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private volatile Map<String, NodeReport> latest = Map.of();
    // confined to the prober's thread
    private final Map<String, Node> nodes = new HashMap<>();
    private Supplier<Set<String>> targets;
    private Consumer<Map<String, NodeReport>> listener;
    private long failedTicks;
    private volatile ScheduledFuture<?> ticks;
    private volatile ProbeObserver observer = ProbeObserver.NONE;

    /**
     * @param interval  how often every node is probed
     * @param downAfter the unbroken unreachability after which the listener gets a snapshot at once
     * @param dial      maps a node's address, as the directory names it, to the address to connect to
     * @param clock     stamps {@link NodeReport#probedAtMillis()} (durations use the monotonic clock)
     */
    public NodeProber(Duration interval, Duration downAfter, UnaryOperator<String> dial, Clock clock) {
        this(interval, downAfter, dial, RedisCredentials.none(), clock);
    }

    /** Like {@link #NodeProber(Duration, Duration, UnaryOperator, Clock)}, authenticating with {@code credentials}. */
    public NodeProber(Duration interval, Duration downAfter, UnaryOperator<String> dial, RedisCredentials credentials,
                      Clock clock) {
        this.interval = positive("interval", interval);
        this.downAfter = positive("downAfter", downAfter);
        this.dial = Objects.requireNonNull(dial, "dial == null");
        this.credentials = Objects.requireNonNull(credentials, "credentials == null");
        this.refusals = new CredentialRefusals(credentials);
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.timeout = interval.compareTo(MIN_PROBE_TIMEOUT) > 0 ? interval : MIN_PROBE_TIMEOUT;
        int n = probers.incrementAndGet();
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "thoonk-probe-" + n);
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                onThread(() -> disconnected(connection));
            }
        });
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name + " == null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value.toMillis() + " ms");
        }
        return value;
    }

    /**
     * Hands every probe's outcome to {@code observer} (metrics), on the prober's thread; the probes
     * then also read each node's memory and operation rate every {@link #LOAD_EVERY}. Call it before
     * {@link #start}.
     */
    public void observe(ProbeObserver observer) {
        Objects.requireNonNull(observer, "observer == null");
        if (state.get() != State.LATENT) {
            throw new IllegalStateException("observe the prober before it starts");
        }
        this.observer = observer;
    }

    /** How long a probe may take: the interval, and at least {@link #MIN_PROBE_TIMEOUT}. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Starts probing, at once and then every interval, the nodes {@code targets} names at each tick
     * (called on the prober's thread; nodes it no longer names are dropped with their connections).
     */
    public void start(Supplier<Set<String>> targets, Consumer<Map<String, NodeReport>> listener) {
        Objects.requireNonNull(targets, "targets == null");
        Objects.requireNonNull(listener, "listener == null");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("the prober was already started or is closed");
        }
        thread.execute(() -> {
            this.targets = targets;
            this.listener = listener;
        });
        ticks = thread.scheduleAtFixedRate(this::tick, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The latest reports by node address (those whose first probe has ended); never blocks. */
    public Map<String, NodeReport> reports() {
        return latest;
    }

    private void onThread(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException closed) {
            // closing: nothing more to report
        }
    }

    /**
     * Runs {@code task} on the prober's thread in {@code nanos}; returns null when the prober is
     * closing (its thread takes nothing new), so callers stop there.
     */
    private ScheduledFuture<?> later(Runnable task, long nanos) {
        try {
            return thread.schedule(task, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    private boolean running() {
        return state.get() == State.STARTED;
    }

    private void tick() {
        if (!running()) {
            return;
        }
        try {
            Set<String> wanted = targets.get();
            if (!running()) {
                return; // closed while the targets were asked for
            }
            for (Iterator<Node> it = nodes.values().iterator(); it.hasNext(); ) {
                Node n = it.next();
                if (!wanted.contains(n.address)) {
                    n.dropConnection();
                    it.remove();
                }
            }
            for (String address : wanted) {
                Node n = nodes.computeIfAbsent(address, Node::new);
                if (!n.inFlight) {
                    probe(n);
                }
            }
            failedTicks = 0;
            emit();
        } catch (RuntimeException e) {
            // a failing tick must not end the schedule: log the first and then every 100th
            if (failedTicks++ % 100 == 0) {
                log.warn("probing the Redis nodes failed ({} times in a row): {}", failedTicks, e.toString(), e);
            }
        }
    }

    private void probe(Node n) {
        n.inFlight = true;
        long started = System.nanoTime();
        boolean withLoad = n.loadDue(started);
        CompletableFuture<String> answer;
        try {
            answer = n.connection().thenCompose(c -> {
                RedisAsyncCommands<String, String> commands = c.async();
                CompletableFuture<String> ping = commands.ping().toCompletableFuture();
                CompletableFuture<String> load = withLoad ? commands.info("memory").toCompletableFuture()
                        .thenCombine(commands.info("stats").toCompletableFuture(), (m, st) -> m + "\n" + st)
                        : CompletableFuture.completedFuture("");
                return commands.info("replication").toCompletableFuture().thenCombine(ping, (info, pong) -> info)
                        .thenCombine(load, (info, more) -> info + "\n" + more);
            });
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<String> bounded = answer;
        ScheduledFuture<?> deadline = later(() -> bounded.completeExceptionally(new TimeoutException(
                "no answer within " + timeout.toMillis() + " ms")), timeout.toNanos());
        if (deadline == null) {
            return; // closing: the connection goes with the others
        }
        bounded.whenComplete((info, error) -> {
            deadline.cancel(false);
            long took = System.nanoTime() - started;
            onThread(() -> probed(n, started, took, withLoad, info, error));
        });
    }

    private void probed(Node n, long started, long took, boolean withLoad, String info, Throwable error) {
        n.inFlight = false;
        if (nodes.get(n.address) != n || !running()) {
            return;
        }
        Observed before = n.observed();
        if (error == null) {
            n.answered(info);
            observed(n.address, took, true, withLoad ? NodeLoad.of(fields(info)) : null);
        } else {
            observed(n.address, took, false, null);
            n.dropConnection();
            Optional<String> refused = refusals.sentence(n.address, error);
            if (refused.isPresent() && !n.refusalLogged) {
                n.refusalLogged = true;
                log.warn("{}", refused.get());
            }
            n.failed(started, refused.orElseGet(() -> describe(error)));
            if (n.failedSince == started) {
                long left = downAfter.toNanos() - (System.nanoTime() - started);
                later(() -> {
                    if (running() && nodes.get(n.address) == n && n.failedSince == started) {
                        emit();
                    }
                }, Math.max(0, left));
            }
        }
        n.probedAtMillis = clock.millis();
        if (!n.observed().equals(before)) {
            emit();
        }
    }

    private void observed(String node, long took, boolean answered, NodeLoad load) {
        try {
            observer.probed(node, took, answered, load);
        } catch (RuntimeException e) {
            log.warn("the probe observer failed on {}: {}", node, e.toString(), e);
        }
    }

    /** A connection the node closed (e.g. its process died): probe it now rather than at the next tick. */
    private void disconnected(RedisChannelHandler<?, ?> connection) {
        if (!running()) {
            return;
        }
        for (Node n : nodes.values()) {
            if (n.uses(connection)) {
                n.dropConnection();
                if (!n.inFlight) {
                    probe(n);
                }
                return;
            }
        }
    }

    private void emit() {
        long now = System.nanoTime();
        Map<String, NodeReport> snapshot = new TreeMap<>();
        for (Node n : nodes.values()) {
            if (n.probedAtMillis != NEVER) {
                snapshot.put(n.address, n.report(now));
            }
        }
        Map<String, NodeReport> published = Collections.unmodifiableMap(snapshot);
        latest = published;
        try {
            listener.accept(published);
        } catch (RuntimeException e) {
            log.warn("the node report listener failed: {}", e.toString(), e);
        }
    }

    private static String describe(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        Throwable root = e;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused";
            }
            root = c;
        }
        return root == e ? message(e) : message(e) + ": " + message(root);
    }

    private static String message(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /**
     * Stops probing and closes the connections; idempotent. In order: no tick is scheduled any
     * more, the prober's thread ends (interrupted: a tick under way sees the prober closed and
     * returns; pending probe deadlines and reports are dropped), then, with nothing left to touch
     * them, the connections are closed and waited for, then the Redis client and its threads.
     */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        ScheduledFuture<?> schedule = ticks;
        if (schedule != null) {
            schedule.cancel(false);
        }
        thread.shutdownNow();
        boolean interrupted = false;
        boolean ended = false;
        try {
            ended = thread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (ended) {
            // the thread is gone: its state is this thread's now
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            nodes.values().forEach(n -> closing.add(n.dropConnection()));
            nodes.clear();
            try {
                CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                        .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.warn("the prober's connections were not closed within {} ms: {}", CLOSE_TIMEOUT.toMillis(),
                        e.toString());
            } catch (InterruptedException e) {
                interrupted = true;
            }
        } else if (!interrupted) {
            log.warn("the prober's thread still runs {} ms after it closed; its connections close with the client",
                    CLOSE_TIMEOUT.toMillis());
        }
        client.shutdown(Duration.ZERO, CLOSE_TIMEOUT);
        try {
            resources.shutdown(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the prober's I/O threads did not stop within {} ms: {}", CLOSE_TIMEOUT.toMillis(), e.toString());
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the prober's thread has ended (after {@link #close}); for tests. */
    boolean threadEnded() {
        return thread.isTerminated();
    }

    /** What a change of makes the listener hear of a node at once. */
    private record Observed(boolean reachable, String role, String primary, boolean linkUp) {
    }

    /** One probed node; confined to the prober's thread. */
    private final class Node {
        final String address;
        CompletableFuture<StatefulRedisConnection<String, String>> connection;
        boolean inFlight;
        boolean reachable;
        String role = "";
        String primary = "";
        boolean linkUp;
        long offset;
        int replicas;
        String error = "";
        /** A refusal of the credentials was logged since the node last answered: once is enough. */
        boolean refusalLogged;
        long failedSince = NEVER;
        long probedAtMillis = NEVER;
        long loadAskedAt = NEVER;

        Node(String address) {
            this.address = address;
        }

        /** The node's connection, dialled now if it has none (or the one it had was closed). */
        CompletableFuture<StatefulRedisConnection<String, String>> connection() {
            CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
            if (c != null && c.isDone() && (c.isCompletedExceptionally() || !c.join().isOpen())) {
                dropConnection();
                c = null;
            }
            if (c == null) {
                RedisURI uri = uri();
                c = connection = RedisConnections.open(() -> client.connectAsync(StringCodec.UTF8, uri));
            }
            return c;
        }

        private RedisURI uri() {
            String target = dial.apply(address);
            int colon = target == null ? -1 : target.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("node " + address + " dials '" + target + "', not host:port");
            }
            return credentials.applyTo(RedisURI.builder().withHost(target.substring(0, colon))
                    .withPort(Integer.parseInt(target.substring(colon + 1))).withTimeout(timeout)
                    .withClientName(CLIENT_NAME)).build();
        }

        /** Whether the probe starting at {@code now} also reads the node's load (then it is asked for now). */
        boolean loadDue(long now) {
            if (observer == ProbeObserver.NONE || (loadAskedAt != NEVER && now - loadAskedAt < LOAD_EVERY.toNanos())) {
                return false;
            }
            loadAskedAt = now;
            return true;
        }

        boolean uses(RedisChannelHandler<?, ?> handler) {
            CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
            return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join() == handler;
        }

        /**
         * Closes the connection (once it is made, if it is still being made) and forgets it; the
         * result completes when it is closed (or was never made).
         */
        CompletableFuture<Void> dropConnection() {
            CompletableFuture<StatefulRedisConnection<String, String>> c = connection;
            connection = null;
            if (c == null) {
                return CompletableFuture.completedFuture(null);
            }
            return c.thenCompose(StatefulRedisConnection::closeAsync).exceptionally(failed -> null);
        }

        void answered(String info) {
            Map<String, String> fields = fields(info);
            reachable = true;
            failedSince = NEVER;
            error = "";
            refusalLogged = false;
            role = fields.getOrDefault("role", "");
            boolean replica = role.equals("slave");
            primary = replica ? fields.getOrDefault("master_host", "") + ":" + fields.getOrDefault("master_port", "")
                    : "";
            linkUp = replica && "up".equals(fields.get("master_link_status"));
            offset = number(fields.get(replica ? "slave_repl_offset" : "master_repl_offset"));
            replicas = replica ? 0 : (int) number(fields.get("connected_slaves"));
        }

        void failed(long started, String why) {
            reachable = false;
            error = why;
            if (failedSince == NEVER) {
                failedSince = started;
            }
        }

        Observed observed() {
            return new Observed(reachable, role, primary, linkUp);
        }

        NodeReport report(long nowNanos) {
            long downFor = reachable || failedSince == NEVER ? 0 : (nowNanos - failedSince) / 1_000_000;
            return new NodeReport(address, reachable, role, primary, linkUp, offset, replicas, downFor, error,
                    probedAtMillis);
        }
    }

    private static Map<String, String> fields(String info) {
        Map<String, String> fields = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return fields;
    }

    static long number(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
