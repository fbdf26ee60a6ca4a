package io.thoonk.coordinator;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.contract.TeamCopier;
import io.thoonk.coordinator.migration.Mover;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * A coordinator's settings, and the parts it is built from (its gRPC server, clock and scheduler),
 * so an embedding program or a test can hand in its own.
 *
 * @param id             this coordinator's name among its peers (null: host-port)
 * @param zookeeper      ZooKeeper connect string, e.g. {@code zk1:2181,zk2:2181,zk3:2181}
 * @param namespace      ZooKeeper namespace (root node) of this directory (default {@code thoonk})
 * @param host           address other coordinators and clients reach this one at, advertised to them (null, the
 *                       default: {@code bind}; for a wildcard {@code bind}, this machine's host name)
 * @param bind           address the gRPC server listens on (default {@value #DEFAULT_BIND}, loopback only: the
 *                       API is unauthenticated, so listening beyond this machine must be asked for, with an
 *                       address of one interface or {@code 0.0.0.0} for all)
 * @param grpcPort       gRPC port (default 7400; 0 lets the server pick a free one)
 * @param sessionTimeout ZooKeeper session timeout (default 15 s)
 * @param callTimeout    timeout of Redis checks and fence writes, of a decision waiting for its turn, and of
 *                       waiting for the cache (default 5 s)
 * @param server         makes the gRPC server builder for {@code bind:grpcPort} (default {@link ServerFactory#PLAINTEXT})
 * @param clock          the coordinator's wall clock (default {@link Clock#systemUTC()})
 * @param scheduler      runs the coordinator's background work: following the directory, placing new teams,
 *                       retries (null: the coordinator makes a pool of two daemon threads and shuts it down on
 *                       close; one given here is used as is and left running)
 * @param clusterPort    port of this coordinator's Hazelcast member, on {@code bind} (default
 *                       {@value #DEFAULT_CLUSTER_PORT}; 0: the first free one from {@value #DEFAULT_CLUSTER_PORT} up)
 * @param members        Hazelcast addresses ({@code host} or {@code host:port}) of the coordinators to gossip with,
 *                       this one included or not (default: none, a coordinator on its own)
 * @param clusterSize    how many coordinators the deployment has: a coordinator that sees fewer than a majority of
 *                       them (itself included) decides nothing (default 0: {@code members}' count, at least 1)
 * @param probeInterval  how often every coordinator probes every Redis node (default 100 ms)
 * @param downAfter      how long a majority of coordinators must see a primary unreachable before it is failed
 *                       (default 500 ms)
 * @param minReplicasMaxLag the {@code min-replicas-max-lag} the coordinator sets on primaries that have a live
 *                       replica (with {@code min-replicas-to-write 1}): an isolated old primary refuses writes
 *                       once its replicas have been silent this long (whole seconds, default 2 s)
 * @param nodeAddresses  maps a Redis node's address as the directory names it to the address this coordinator
 *                       dials (default: unchanged); for networks where coordinators reach nodes through other
 *                       names (NAT, proxies)
 * @param redisCredentials what every connection of the coordinator to a Redis node authenticates with (default
 *                       {@link RedisCredentials#none()}); a node that refuses them is reported as such, and a shard
 *                       whose nodes refuse them cannot be registered. Shown masked by {@link #toString()}
 * @param httpPort       port of the coordinator's HTTP server on {@code bind}: the live dashboard, its JSON and
 *                       event stream, {@code /metrics} and {@code /healthz} (default {@value #DEFAULT_HTTP_PORT};
 *                       0: a free port; {@value #HTTP_OFF}: no HTTP server)
 * @param movePageSize   elements per step of a team move's copy (default {@value TeamCopier#DEFAULT_PAGE_SIZE}; see
 *                       {@link TeamCopier})
 * @param maxWritePause  a team move's write-pause budget: a move whose team has been frozen this long and is not
 *                       caught up and verified yet rolls back, the team writable on its source again (default 5 s)
 */
public record CoordinatorConfig(String id, String zookeeper, String namespace, String host, String bind,
                                int grpcPort, Duration sessionTimeout, Duration callTimeout, ServerFactory server,
                                Clock clock, ScheduledExecutorService scheduler, int clusterPort, List<String> members,
                                int clusterSize, Duration probeInterval, Duration downAfter,
                                Duration minReplicasMaxLag, UnaryOperator<String> nodeAddresses,
                                RedisCredentials redisCredentials, int httpPort, int movePageSize,
                                Duration maxWritePause) {

    public static final int DEFAULT_GRPC_PORT = 7400;
    /** The default bind address: loopback, so only this machine reaches the (unauthenticated) API. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** The default Hazelcast port of a coordinator. */
    public static final int DEFAULT_CLUSTER_PORT = 5701;
    /** The default port of the HTTP server (dashboard, metrics, health). */
    public static final int DEFAULT_HTTP_PORT = 9400;
    /** {@link #httpPort} that turns the HTTP server off. */
    public static final int HTTP_OFF = -1;

    /**
     * Makes the builder of a coordinator's gRPC server; the coordinator adds its services, starts
     * the server and advertises {@code host:<the server's port>} to clients and to the other
     * coordinators (followers forward writes to the leader there), so the server must listen on
     * {@code address} (the config's {@code bind} and {@code grpcPort}), reachable at {@code host}.
     * Use it for TLS, executors or limits.
     */
    @FunctionalInterface
    public interface ServerFactory {

        /** Plaintext gRPC on the address asked for. */
        ServerFactory PLAINTEXT = address -> NettyServerBuilder.forAddress(address, InsecureServerCredentials.create());

        /** A server builder listening on {@code address} (port 0: a free port). */
        ServerBuilder<?> forAddress(InetSocketAddress address);
    }

    public CoordinatorConfig {
        Objects.requireNonNull(zookeeper, "zookeeper == null");
        Objects.requireNonNull(namespace, "namespace == null");
        Objects.requireNonNull(bind, "bind == null");
        if (bind.isBlank()) {
            throw new IllegalArgumentException("bind must not be blank (" + DEFAULT_BIND + ": this machine only; "
                    + "0.0.0.0: every interface)");
        }
        if (host != null && host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank (null: derived from bind)");
        }
        Objects.requireNonNull(sessionTimeout, "sessionTimeout == null");
        Objects.requireNonNull(callTimeout, "callTimeout == null");
        Objects.requireNonNull(server, "server == null");
        Objects.requireNonNull(clock, "clock == null");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpcPort must be 0..65535, was " + grpcPort);
        }
        if (clusterPort < 0 || clusterPort > 65535) {
            throw new IllegalArgumentException("clusterPort must be 0..65535, was " + clusterPort);
        }
        members = List.copyOf(Objects.requireNonNull(members, "members == null"));
        if (clusterSize < 0) {
            throw new IllegalArgumentException("clusterSize must be >= 0 (0: the number of members), was "
                    + clusterSize);
        }
        if (clusterSize == 0) {
            clusterSize = Math.max(1, members.size());
        }
        positive("probeInterval", probeInterval);
        positive("downAfter", downAfter);
        positive("minReplicasMaxLag", minReplicasMaxLag);
        if (minReplicasMaxLag.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("minReplicasMaxLag is whole seconds (Redis' min-replicas-max-lag), was "
                    + minReplicasMaxLag.toMillis() + " ms");
        }
        Objects.requireNonNull(nodeAddresses, "nodeAddresses == null");
        Objects.requireNonNull(redisCredentials, "redisCredentials == null");
        if (httpPort < HTTP_OFF || httpPort > 65535) {
            throw new IllegalArgumentException("httpPort must be 0..65535, or " + HTTP_OFF + " for no HTTP server, was "
                    + httpPort);
        }
        if (movePageSize < 1 || movePageSize > 100_000) {
            throw new IllegalArgumentException("movePageSize must be 1..100000, was " + movePageSize);
        }
        positive("maxWritePause", maxWritePause);
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name + " == null");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value.toMillis() + " ms");
        }
    }

    /** How many coordinators make a majority of {@link #clusterSize}. */
    public int majority() {
        return clusterSize / 2 + 1;
    }

    public static Builder builder(String zookeeper) {
        return new Builder(zookeeper);
    }

    /** Builds a {@link CoordinatorConfig}; every setting has the default documented on the record. */
    public static final class Builder {
        private final String zookeeper;
        private String id;
        private String namespace = "thoonk";
        private String host;
        private String bind = DEFAULT_BIND;
        private int grpcPort = DEFAULT_GRPC_PORT;
        private Duration sessionTimeout = Duration.ofSeconds(15);
        private Duration callTimeout = Duration.ofSeconds(5);
        private ServerFactory server = ServerFactory.PLAINTEXT;
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;
        private int clusterPort = DEFAULT_CLUSTER_PORT;
        private List<String> members = List.of();
        private int clusterSize;
        private Duration probeInterval = Duration.ofMillis(100);
        private Duration downAfter = Duration.ofMillis(500);
        private Duration minReplicasMaxLag = Duration.ofSeconds(2);
        private UnaryOperator<String> nodeAddresses = UnaryOperator.identity();
        private RedisCredentials redisCredentials = RedisCredentials.none();
        private int httpPort = DEFAULT_HTTP_PORT;
        private int movePageSize = TeamCopier.DEFAULT_PAGE_SIZE;
        private Duration maxWritePause = Mover.Settings.DEFAULT_MAX_WRITE_PAUSE;

        private Builder(String zookeeper) {
            this.zookeeper = zookeeper;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The address the gRPC server listens on; {@code 0.0.0.0} for every interface. */
        public Builder bind(String bind) {
            this.bind = bind;
            return this;
        }

        public Builder grpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        public Builder server(ServerFactory server) {
            this.server = server;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public Builder clusterPort(int clusterPort) {
            this.clusterPort = clusterPort;
            return this;
        }

        public Builder members(List<String> members) {
            this.members = members;
            return this;
        }

        public Builder clusterSize(int clusterSize) {
            this.clusterSize = clusterSize;
            return this;
        }

        public Builder probeInterval(Duration probeInterval) {
            this.probeInterval = probeInterval;
            return this;
        }

        public Builder downAfter(Duration downAfter) {
            this.downAfter = downAfter;
            return this;
        }

        public Builder minReplicasMaxLag(Duration minReplicasMaxLag) {
            this.minReplicasMaxLag = minReplicasMaxLag;
            return this;
        }

        public Builder nodeAddresses(UnaryOperator<String> nodeAddresses) {
            this.nodeAddresses = nodeAddresses;
            return this;
        }

        /** What the coordinator authenticates to Redis nodes with; {@link RedisCredentials#none()} for none. */
        public Builder redisCredentials(RedisCredentials redisCredentials) {
            this.redisCredentials = redisCredentials;
            return this;
        }

        /** The HTTP server's port: 0 for a free one, {@link #HTTP_OFF} for none. */
        public Builder httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        public Builder movePageSize(int movePageSize) {
            this.movePageSize = movePageSize;
            return this;
        }

        public Builder maxWritePause(Duration maxWritePause) {
            this.maxWritePause = maxWritePause;
            return this;
        }

        public CoordinatorConfig build() {
            return new CoordinatorConfig(id, zookeeper, namespace, host, bind, grpcPort, sessionTimeout, callTimeout,
                    server, clock, scheduler, clusterPort, members, clusterSize, probeInterval, downAfter,
                    minReplicasMaxLag, nodeAddresses, redisCredentials, httpPort,
                    movePageSize, maxWritePause);
        }
    }
}
