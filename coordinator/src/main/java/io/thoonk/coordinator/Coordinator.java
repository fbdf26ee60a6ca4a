package io.thoonk.coordinator;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryWriter;
import io.thoonk.coordinator.directory.ZkLayout;
import io.thoonk.coordinator.grpc.AdminService;
import io.thoonk.coordinator.grpc.DirectoryService;
import io.thoonk.coordinator.grpc.Writes;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.CoordinatorInfo;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One coordinator: a Curator client, the directory cache, a leader-election participant and a gRPC
 * server ({@code thoonk.v1.Directory}, {@code thoonk.v1.Admin}, health, reflection).
 *
 * <p>Any number may run against one ZooKeeper ensemble; exactly one leads and decides. A
 * coordinator that loses its ZooKeeper connection keeps answering reads from its cache, refuses
 * writes, and reports NOT_SERVING in health until the connection is back.
 */
public final class Coordinator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final CoordinatorConfig config;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final HealthStatusManager health = new HealthStatusManager();
    private volatile boolean zkConnected;
    private CuratorFramework root;
    private CuratorFramework zk;
    private DirectoryCache cache;
    private Leadership leadership;
    private ShardNodes nodes;
    private DirectoryWriter writer;
    private Server server;
    private PersistentNode registration;
    private String id;

    private Coordinator(CoordinatorConfig config) {
        this.config = config;
    }

    /** Starts a coordinator; returns once it serves gRPC and its cache is loaded. */
    public static Coordinator start(CoordinatorConfig config) throws Exception {
        Coordinator c = new Coordinator(config);
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
        root = CuratorFrameworkFactory.builder().connectString(config.zookeeper())
                .sessionTimeoutMs((int) config.sessionTimeout().toMillis())
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 10, 2_000)).build();
        root.start();
        if (!root.blockUntilConnected(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot reach ZooKeeper at " + config.zookeeper() + " within 30 s");
        }
        zk = root.usingNamespace(config.namespace());
        zkConnected = true;
        root.getConnectionStateListenable().addListener((client, newState) -> onConnectionState(newState));

        DirectoryStore store = new DirectoryStore(zk);
        store.ensureLayout();
        cache = new DirectoryCache(store, zk);
        cache.start();
        nodes = new ShardNodes(config.callTimeout());
        writer = new DirectoryWriter(store, cache, nodes, config.callTimeout());

        Writes.CatchUp catchUp = () -> cache.awaitRevision(store.readRevision(), config.callTimeout());
        int port = config.grpcPort() == 0 ? freePort() : config.grpcPort();
        String address = config.host() + ":" + port;
        id = config.id() != null ? config.id() : config.host() + "-" + port;
        leadership = new Leadership(zk, id, address);
        server = Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(new DirectoryService(cache, writer, leadership, () -> zkConnected, catchUp))
                .addService(new AdminService(cache, writer, leadership, () -> zkConnected, catchUp,
                        this::coordinators))
                .build();
        server.start();
        leadership.start();
        // Re-created by Curator after a session expiry, so Status always lists live coordinators.
        registration = new PersistentNode(zk, CreateMode.EPHEMERAL, false, ZkLayout.COORDINATORS + "/" + id,
                address.getBytes(StandardCharsets.UTF_8));
        registration.start();
        registration.waitForInitialCreate(10, TimeUnit.SECONDS);
        health.setStatus("", ServingStatus.SERVING);
        log.info("coordinator {} serving gRPC on {} (ZooKeeper {}, namespace {})", id, address, config.zookeeper(),
                config.namespace());
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void onConnectionState(ConnectionState newState) {
        boolean connected = newState.isConnected();
        zkConnected = connected;
        health.setStatus("", connected ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
        log.info("coordinator {}: ZooKeeper connection {}", id, newState);
    }

    private List<CoordinatorInfo> coordinators() {
        List<CoordinatorInfo> out = new ArrayList<>();
        String leader = leadership == null ? "" : leadership.leaderId();
        try {
            for (String child : zk.getChildren().forPath(ZkLayout.COORDINATORS)) {
                String address = new String(zk.getData().forPath(ZkLayout.COORDINATORS + "/" + child),
                        StandardCharsets.UTF_8);
                out.add(CoordinatorInfo.newBuilder().setId(child).setAddress(address)
                        .setLeader(leader.equals(child + "@" + address))
                        .setZookeeperConnected(!child.equals(id) || zkConnected).build());
            }
        } catch (Exception e) {
            out.add(CoordinatorInfo.newBuilder().setId(id).setAddress(address())
                    .setLeader(leadership != null && leadership.isLeader()).setZookeeperConnected(false).build());
        }
        return out;
    }

    public String id() {
        return id;
    }

    /** {@code host:port} of the gRPC server. */
    public String address() {
        return config.host() + ":" + server.getPort();
    }

    public int port() {
        return server.getPort();
    }

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

    /** For tests and tools: the underlying Curator client. */
    public CuratorFramework curator() {
        return zk;
    }

    /** Stops serving and leaves the election; idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        health.enterTerminalState();
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (registration != null) {
            try {
                registration.close();
            } catch (java.io.IOException ignored) {
                // the session ends below anyway
            }
        }
        if (leadership != null) {
            leadership.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (cache != null) {
            cache.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (root != null) {
            root.close();
        }
    }
}
