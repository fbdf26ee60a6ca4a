package io.thoonk.coordinator;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.cluster.CoordinatorCluster;
import io.thoonk.coordinator.cluster.Members;
import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.cluster.SharedNodeHealth;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.FailoverHistory;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.grpc.AdminService;
import io.thoonk.coordinator.grpc.DirectoryService;
import io.thoonk.coordinator.grpc.Writes;
import io.thoonk.coordinator.http.CoordinatorHttpServer;
import io.thoonk.coordinator.metrics.CoordinatorMetrics;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.coordinator.migration.Rebalancer;
import io.thoonk.coordinator.placement.Decisions;
import io.thoonk.coordinator.placement.Placer;
import io.thoonk.coordinator.placement.ShardRegistry;
import io.thoonk.coordinator.shard.NodeProber;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.CoordinatorInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One coordinator: a Curator client, the directory cache, a leader-election participant and a gRPC
 * server ({@code thoonk.v1.Directory}, {@code thoonk.v1.Admin}, health, reflection).
 *
 * <p>Any number may run against one ZooKeeper ensemble; exactly one leads and decides. A
 * coordinator that loses its ZooKeeper connection keeps answering reads from its cache, refuses
 * writes, and reports NOT_SERVING in health until the connection is back.
 *
 * <p>It is built in layers, each a package that depends only on those below it:
 * {@code directory} (the ZooKeeper store and the in-memory view) and {@code shard} (the Redis
 * nodes, and probing them), then {@code cluster} (members, leadership, the coordinators' Hazelcast
 * cluster and the shared node health) and {@code placement} (the leader's
 * decisions), then {@code grpc}. This class wires them from a {@link CoordinatorConfig}, which
 * also supplies the gRPC server builder, the clock and the scheduler.
 */
public final class Coordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    /** How long {@link #start} waits for ZooKeeper before it fails. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger schedulers = new AtomicInteger();

    private enum State { LATENT, STARTED, CLOSED }

    private final CoordinatorConfig config;
    /** The health view a test hands in; null: the coordinators' own. */
    private final NodeHealthView healthOverride;
    private final Promoter.PhaseHook phaseHook;
    private final Mover.PhaseHook moveHook;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final HealthStatusManager health = new HealthStatusManager();
    private final CoordinatorMetrics metrics = new CoordinatorMetrics();
    private volatile boolean zkConnected;
    private ScheduledExecutorService ownScheduler;
    private CuratorFramework root;
    private DirectoryCache cache;
    private ShardNodes nodes;
    private Placer placer;
    private FailoverHistory failovers;
    private Promoter promoter;
    private Mover mover;
    private Rebalancer rebalancer;
    private Leadership leadership;
    private Members members;
    private CoordinatorCluster cluster;
    private SharedNodeHealth nodeHealth;
    private Writes writes;
    private Server server;
    private CoordinatorHttpServer http;
    private String httpAddress;
    private String id;
    private String address;
    private InetSocketAddress listenAddress;

    private Coordinator(CoordinatorConfig config, NodeHealthView healthOverride, Promoter.PhaseHook phaseHook,
                        Mover.PhaseHook moveHook) {
        this.config = config;
        this.healthOverride = healthOverride;
        this.phaseHook = phaseHook;
        this.moveHook = moveHook;
    }

    /**
     * Starts a coordinator; returns once its cache is loaded, it serves gRPC and has joined the
     * election (it may not lead yet: see {@link #awaitLeadership}). A failed start closes what it
     * opened.
     */
    public static Coordinator start(CoordinatorConfig config) throws Exception {
        return start(config, null, Promoter.PhaseHook.NONE);
    }

    /**
     * For this module's tests: a coordinator that decides failovers from {@code health} (null: its
     * own view) and calls {@code phaseHook} between the steps of each promotion.
     */
    static Coordinator start(CoordinatorConfig config, NodeHealthView health, Promoter.PhaseHook phaseHook)
            throws Exception {
        return start(config, health, phaseHook, Mover.PhaseHook.NONE);
    }

    /** For this module's tests: like the above, and calling {@code moveHook} at the phases of each team move. */
    static Coordinator start(CoordinatorConfig config, NodeHealthView health, Promoter.PhaseHook phaseHook,
                             Mover.PhaseHook moveHook) throws Exception {
        Objects.requireNonNull(config, "config == null");
        Objects.requireNonNull(phaseHook, "phaseHook == null");
        Objects.requireNonNull(moveHook, "moveHook == null");
        Coordinator c = new Coordinator(config, health, phaseHook, moveHook);
        try {
            c.doStart();
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void doStart() throws Exception {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("already started");
        }
        ServingAddress serving = ServingAddress.of(config);
        ScheduledExecutorService scheduler = config.scheduler();
        if (scheduler == null) {
            scheduler = ownScheduler = Executors.newScheduledThreadPool(2, daemonThreads());
        }
        root = CuratorFrameworkFactory.builder().connectString(config.zookeeper())
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000)).build();
        root.start();
        if (!root.blockUntilConnected((int) CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot reach ZooKeeper at "
                    + config.zookeeper() + " within " + CONNECT_TIMEOUT.toSeconds() + " s");
        }
        CuratorFramework zk = root.usingNamespace(config.namespace());
        zkConnected = true;
        root.getConnectionStateListenable().addListener((client, newState) -> onConnectionState(newState));

        Duration timeout = config.callTimeout();
        DirectoryStore store = new DirectoryStore(zk);
        store.ensureLayout();
        cache = new DirectoryCache(store, zk, scheduler, config.clock());
        cache.start();
        nodes = new ShardNodes(timeout, config.redisCredentials());
        Decisions decisions = new Decisions(timeout);
        placer = new Placer(store, cache, nodes, decisions, scheduler, timeout);
        ShardRegistry shards = new ShardRegistry(store, cache, nodes, decisions, config.namespace(), timeout,
                config.minReplicasMaxLag());
        leadership = new Leadership(zk);
        members = new Members(zk);
        failovers = new FailoverHistory(zk);
        failovers.onAppended(metrics::failoverRecorded);
        failovers.start();
        cluster = CoordinatorCluster.start(new CoordinatorCluster.Settings(config.namespace(), config.bind(),
                config.clusterPort(), config.members(), config.clusterSize()), CoordinatorCluster.START_TIMEOUT);
        NodeProber prober = new NodeProber(config.probeInterval(), config.downAfter(), config.nodeAddresses(),
                config.redisCredentials(), config.clock());
        prober.observe(metrics.probes());
        nodeHealth = new SharedNodeHealth(cluster, cache, prober, config.downAfter());
        promoter = new Promoter(store, cache, nodes, decisions, healthOverride != null ? healthOverride : nodeHealth,
                leadership, Promoter.Settings.of(timeout, config.minReplicasMaxLag(), config.clock()), phaseHook);
        mover = new Mover(store, cache, nodes, decisions, leadership, Mover.Settings.of(timeout, config.clock())
                .withPageSize(config.movePageSize()).withMaxWritePause(config.maxWritePause()), moveHook);
        mover.onMove(metrics::moveStarted);
        rebalancer = new Rebalancer(store, cache, nodes, decisions, mover, leadership, timeout, Duration.ofSeconds(1),
                config.clock());
        writes = new Writes(leadership, () -> zkConnected, () -> cache.awaitRevision(store.readRevision(), timeout));

        server = config.server().forAddress(serving.listen())
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(ServerInterceptors.intercept(new DirectoryService(cache, placer, writes, scheduler),
                        metrics.directoryCalls()))
                .addService(new AdminService(cache, placer, shards, leadership, writes, this::coordinators, nodes,
                        promoter, failovers, nodeHealth, mover, rebalancer))
                .build();
        server.start();
        listenAddress = listenAddress(serving.listen());
        address = serving.advertisedHost() + ":" + server.getPort();
        id = config.id() != null ? config.id() : serving.advertisedHost() + "-" + server.getPort();
        metrics.bind(new CoordinatorMetrics.Sources(id, this::isLeader, () -> zkConnected, cache, prober::reports,
                () -> mover.active().size(), config.clock()));
        nodeHealth.start(id);
        leadership.start(id, address);
        promoter.start(id);
        mover.start(id);
        members.register(id, address, REGISTER_TIMEOUT);
        if (config.httpPort() != CoordinatorConfig.HTTP_OFF) {
            http = CoordinatorHttpServer.start(new InetSocketAddress(serving.listen().getAddress(), config.httpPort()),
                    new CoordinatorHttpServer.Sources(cache, store, nodeHealth, mover, failovers, config.clock(),
                            this::id, this::isLeader, metrics::scrape));
            httpAddress = serving.advertisedHost() + ":" + http.address().getPort();
            log.info("coordinator {}: dashboard at http://{}/", id, httpAddress());
        }
        health.setStatus("", ServingStatus.SERVING);
        log.info("coordinator {} serving gRPC on {}, listening on {} (ZooKeeper {}, namespace {}, cluster member {}, "
                + "Redis {})", id, address, describeListening(), config.zookeeper(), config.namespace(), cluster.address(),
                config.redisCredentials().username().map(u -> "authenticating as user '" + u + "'")
                        .orElse("without authentication"));
        if (serving.everyInterface()) {
            log.warn("coordinator {} listens on every interface ({}); its gRPC API has no authentication, so anyone "
                    + "who can reach this port can register shards and place teams", id, listenAddress);
        }
    }

    /** The socket the server really listens on (its port chosen when 0 was asked for). */
    private InetSocketAddress listenAddress(InetSocketAddress asked) {
        for (SocketAddress a : server.getListenSockets()) {
            if (a instanceof InetSocketAddress inet) {
                return inet;
            }
        }
        return new InetSocketAddress(asked.getAddress(), server.getPort());
    }

    private static ThreadFactory daemonThreads() {
        int n = schedulers.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "thoonk-coordinator-" + n + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private void onConnectionState(ConnectionState newState) {
        boolean connected = newState.isConnected();
        zkConnected = connected;
        health.setStatus("", connected ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
        log.info("coordinator {}: ZooKeeper connection {}", id, newState);
    }

    private List<CoordinatorInfo> coordinators() {
        List<CoordinatorInfo> out = new ArrayList<>();
        String leader = leadership.leaderId();
        try {
            for (Members.Member m : members.list()) {
                out.add(CoordinatorInfo.newBuilder().setId(m.id()).setAddress(m.address())
                        .setLeader(leader.equals(m.id() + "@" + m.address()))
                        .setZookeeperConnected(!m.id().equals(id) || zkConnected).build());
            }
        } catch (Exception e) {
            out.add(CoordinatorInfo.newBuilder().setId(id).setAddress(address)
                    .setLeader(leadership.isLeader()).setZookeeperConnected(false).build());
        }
        return out;
    }

    /** This coordinator's id among its peers. */
    public String id() {
        return id;
    }

    /** {@code host:port} of the gRPC server, as advertised to clients and peers. */
    public String address() {
        return address;
    }

    /** The port the gRPC server listens on. */
    public int port() {
        return server.getPort();
    }

    /**
     * The address the gRPC server listens on: the config's {@code bind} with the actual port. A
     * wildcard address ({@link InetAddress#isAnyLocalAddress()}) means every interface.
     */
    public InetSocketAddress listenAddress() {
        return listenAddress;
    }

    /**
     * Where the server listens, for a person: {@code 127.0.0.1:7400}, or {@code every interface
     * (0.0.0.0:7400)} for a wildcard bind.
     */
    public String describeListening() {
        if (listenAddress.getAddress().isAnyLocalAddress()) {
            return "every interface (" + config.bind() + ":" + listenAddress.getPort() + ")";
        }
        return listenAddress.getAddress().getHostAddress() + ":" + listenAddress.getPort();
    }

    /**
     * {@code host:port} of the HTTP server (the dashboard at {@code http://<this>/}, {@code /metrics},
     * {@code /healthz}): the advertised host and the port it listens on.
     *
     * @throws IllegalStateException when the HTTP server is off ({@link CoordinatorConfig#httpPort} -1)
     */
    public String httpAddress() {
        if (http == null) {
            throw new IllegalStateException("coordinator " + id + " runs no HTTP server (httpPort "
                    + CoordinatorConfig.HTTP_OFF + ")");
        }
        return httpAddress;
    }

    /** {@code host:port} of this coordinator's member of the coordinators' (Hazelcast) cluster. */
    public String clusterAddress() {
        return cluster.address();
    }

    /**
     * What the coordinators see of the Redis nodes, combined: the input of failover decisions.
     * Every coordinator probes every node of every shard and shares its reports; see
     * {@link NodeHealthView} for the verdict and its quorum rule.
     */
    public NodeHealthView nodeHealth() {
        return nodeHealth;
    }

    /**
     * This coordinator's Prometheus metrics: {@link CoordinatorMetrics#scrape()} is what
     * {@code GET /metrics} serves. Available from construction; its gauges read the coordinator
     * once it has started.
     */
    public CoordinatorMetrics metrics() {
        return metrics;
    }

    /** True while this coordinator leads (and so decides). */
    public boolean isLeader() {
        return leadership != null && leadership.isLeader();
    }

    public boolean isZooKeeperConnected() {
        return zkConnected;
    }

    /** The directory revision this coordinator has applied. */
    public long directoryRevision() {
        return cache.revision();
    }

    /**
     * Returns once this coordinator leads; throws {@link LeadershipTimeoutException}, naming it and
     * the leader known then, if it does not within {@code timeout}.
     */
    public void awaitLeadership(Duration timeout) throws InterruptedException {
        awaitLeader(List.of(this), timeout);
    }

    /**
     * Returns the first of {@code coordinators} found leading, waiting up to {@code timeout} for one
     * to lead (without polling: it waits on their elections). Throws
     * {@link LeadershipTimeoutException} naming them and the leader known then, if none leads in
     * time (another coordinator, not among them, may lead).
     */
    public static Coordinator awaitLeader(Collection<Coordinator> coordinators, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(coordinators, "coordinators == null");
        Objects.requireNonNull(timeout, "timeout == null");
        if (coordinators.isEmpty()) {
            throw new IllegalArgumentException("no coordinators to wait for");
        }
        for (Coordinator c : coordinators) {
            if (c.leadership == null) {
                throw new IllegalStateException("coordinator " + c.id + " was not started");
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Coordinator c : coordinators) {
                if (c.isLeader()) {
                    return c;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new LeadershipTimeoutException(notLeading(coordinators, timeout));
            }
            CompletableFuture<?>[] elected = coordinators.stream().map(c -> c.leadership.leading())
                    .toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.anyOf(elected).get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // checked at the top of the loop
            }
        }
    }

    private static String notLeading(Collection<Coordinator> coordinators, Duration timeout) {
        String names = coordinators.stream().map(c -> "'" + c.id + "'").collect(Collectors.joining(", "));
        String leader = coordinators.stream().map(c -> c.leadership.leaderId()).filter(l -> !l.isEmpty())
                .findFirst().orElse("");
        String who = coordinators.size() == 1 ? "coordinator " + names + " did not become leader"
                : "none of the coordinators " + names + " became leader";
        return who + " within " + timeout.toMillis() + " ms; "
                + (leader.isEmpty() ? "no leader is known (election in progress, or ZooKeeper unreachable)"
                : "the leader is " + leader);
    }

    /** Stops serving, leaves the election and closes what it opened; idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        health.enterTerminalState();
        closeQuietly(http);
        if (server != null) {
            server.shutdownNow();
            try {
                if (!server.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("coordinator {}: gRPC calls still running {} s after shutdown", id,
                            STOP_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeQuietly(rebalancer);
        closeQuietly(mover);
        closeQuietly(promoter);
        closeQuietly(nodeHealth);
        closeQuietly(cluster);
        closeQuietly(members);
        closeQuietly(leadership);
        closeQuietly(placer);
        closeQuietly(writes);
        closeQuietly(failovers);
        closeQuietly(cache);
        closeQuietly(nodes);
        if (root != null) {
            root.close();
        }
        if (ownScheduler != null) {
            ownScheduler.shutdownNow();
            try {
                ownScheduler.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeQuietly(AutoCloseable part) {
        if (part == null) {
            return;
        }
        try {
            part.close();
        } catch (Exception e) {
            log.warn("coordinator {}: closing {} failed: {}", id, part.getClass().getSimpleName(), e.toString());
        }
    }
}
