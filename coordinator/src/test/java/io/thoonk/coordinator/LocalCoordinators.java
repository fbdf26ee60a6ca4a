package io.thoonk.coordinator;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.testing.Closer;
import io.thoonk.testing.ZooKeeperEnsemble;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How this module's own tests run coordinators (the other modules' tests use testing-cluster's
 * {@code LocalClusterExtension}, which depends on this module and so cannot serve its tests): one
 * ZooKeeper server for the test class, and for each test a ZooKeeper namespace of its own
 * ({@code <TestClass>-<n>}, an empty directory), coordinators started from a config it may adjust,
 * one channel per coordinator, and whatever it started or {@link #own handed over} closed after it,
 * newest first, even when it fails. The coordinators of a test form one Hazelcast cluster: each
 * takes the first free cluster port from 5701 and joins those the test started before it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();
 * }</pre>
 *
 * Register it on a static field.
 */
final class LocalCoordinators implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    /** How long {@link #startLeader} waits for a coordinator to lead. */
    static final Duration LEADERSHIP_TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private final Map<Coordinator, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final List<String> clusterMembers = new CopyOnWriteArrayList<>();
    private volatile ZooKeeperEnsemble zookeeper;
    private volatile Closer opened;
    private volatile String namespace;

    private LocalCoordinators() {
    }

    /** Coordinators on a standalone ZooKeeper server of the test class's own. */
    static LocalCoordinators withZooKeeper() {
        return new LocalCoordinators();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        zookeeper = ZooKeeperEnsemble.start(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ZooKeeperEnsemble running = zookeeper;
        zookeeper = null;
        if (running != null) {
            running.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (zookeeper == null) {
            throw new IllegalStateException("LocalCoordinators runs no ZooKeeper: register it with @RegisterExtension "
                    + "on a static field");
        }
        namespace = context.getRequiredTestClass().getSimpleName() + "-" + NAMESPACES.incrementAndGet();
        clusterMembers.clear();
        opened = new Closer();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Closer closing = opened;
        opened = null;
        channels.clear();
        if (closing != null) {
            closing.close();
        }
    }

    /** The ZooKeeper server's connect string. */
    String zookeeper() {
        running();
        return zookeeper.connectString();
    }

    /** The current test's ZooKeeper namespace. */
    String namespace() {
        running();
        return namespace;
    }

    /**
     * Coordinator {@code id}'s config: the test's ZooKeeper and namespace, a free gRPC port, the
     * first free cluster port from 5701, and as cluster members those this test started so far.
     */
    CoordinatorConfig.Builder config(String id) {
        return config(id, zookeeper());
    }

    /** Like {@link #config(String)}, reaching ZooKeeper at {@code connectString} (e.g. through a proxy). */
    CoordinatorConfig.Builder config(String id, String connectString) {
        return CoordinatorConfig.builder(connectString).id(id).namespace(namespace()).grpcPort(0).clusterPort(0).httpPort(0)
                .members(List.copyOf(clusterMembers));
    }

    /** Starts a coordinator with the default {@link #config(String) config}; it may not lead yet. */
    Coordinator start(String id) throws Exception {
        return start(config(id));
    }

    /** Starts a coordinator, closed after the test; it may not lead yet. */
    Coordinator start(CoordinatorConfig.Builder config) throws Exception {
        return start(config, Promoter.PhaseHook.NONE);
    }

    /** Like {@link #start(CoordinatorConfig.Builder)}, calling {@code hook} at each phase of its promotions. */
    Coordinator start(CoordinatorConfig.Builder config, Promoter.PhaseHook hook) throws Exception {
        Coordinator c = own(Coordinator.start(config.build(), null, hook));
        clusterMembers.add(c.clusterAddress());
        return c;
    }

    /**
     * Starts a coordinator and waits until it leads (it must be the only one running).
     *
     * @throws LeadershipTimeoutException if it does not lead within {@link #LEADERSHIP_TIMEOUT}
     */
    Coordinator startLeader(CoordinatorConfig.Builder config) throws Exception {
        Coordinator c = start(config);
        c.awaitLeadership(LEADERSHIP_TIMEOUT);
        return c;
    }

    /** A plaintext channel to {@code coordinator}, made once and shut down after the test. */
    ManagedChannel channel(Coordinator coordinator) {
        return channels.computeIfAbsent(coordinator, c -> {
            ManagedChannel channel = Grpc.newChannelBuilder(c.address(), InsecureChannelCredentials.create()).build();
            own(channel::shutdownNow);
            return channel;
        });
    }

    /** Closes {@code resource} after the test, before what was handed over earlier; returns it. */
    <T extends AutoCloseable> T own(T resource) {
        return running().add(resource);
    }

    private Closer running() {
        Closer closer = opened;
        if (closer == null) {
            throw new IllegalStateException("LocalCoordinators is not running: register it with @RegisterExtension "
                    + "on an instance field and use it from a test or a @BeforeEach method");
        }
        return closer;
    }
}
