package io.thoonk.testing.cluster;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.testing.Closer;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.Reaper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Coordinators running in this JVM against one ZooKeeper, in one namespace (one directory): start
 * any number, wait until one of them leads, stop some, reach them over gRPC.
 *
 * <pre>{@code
 * try (Coordinators coordinators = Coordinators.create(zookeeper.connectString(), "my-test")) {
 *     coordinators.start("c1");
 *     coordinators.start("c2");
 *     Coordinator leader = coordinators.leader();        // waits (30 s at most) until exactly one leads
 *     AdminGrpc.newBlockingStub(coordinators.channel(leader))...
 * }
 * }</pre>
 *
 * <p>Every coordinator gets its id, the namespace and a gRPC port (a free one unless given) on top
 * of the group's settings, and, unless the settings say otherwise, the first free cluster port
 * from 5701 and the running coordinators of the group as its cluster members: the group forms one
 * Hazelcast cluster (named after the namespace). Close coordinators with {@link #stop} (closing one directly works too,
 * but the group keeps listing it until {@link #close()}). {@link #close()} stops all of them, newest
 * first, with their channels; the {@link Reaper} does so at JVM exit, before the servers they use.
 * Thread-safe.
 */
public final class Coordinators implements AutoCloseable {

    /** How long {@link #leader()} waits for a leader. */
    public static final Duration LEADERSHIP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CHANNEL_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String zookeeper;
    private final String namespace;
    private final UnaryOperator<CoordinatorConfig.Builder> settings;
    private final List<Coordinator> running = new CopyOnWriteArrayList<>();
    private final Map<Coordinator, ManagedChannel> channels = new ConcurrentHashMap<>();
    private boolean closed;

    private Coordinators(String zookeeper, String namespace, UnaryOperator<CoordinatorConfig.Builder> settings) {
        this.zookeeper = Objects.requireNonNull(zookeeper, "zookeeper == null");
        this.namespace = Objects.requireNonNull(namespace, "namespace == null");
        this.settings = Objects.requireNonNull(settings, "settings == null");
    }

    /** A group with the coordinators' default settings; nothing runs yet. */
    public static Coordinators create(String zookeeper, String namespace) {
        return create(zookeeper, namespace, UnaryOperator.identity());
    }

    /**
     * A group whose coordinators take {@code settings} (e.g. {@code b -> b.sessionTimeout(...)})
     * applied to {@code CoordinatorConfig.builder(zookeeper)}; nothing runs yet.
     */
    public static Coordinators create(String zookeeper, String namespace,
                                      UnaryOperator<CoordinatorConfig.Builder> settings) {
        Coordinators group = new Coordinators(zookeeper, namespace, settings);
        Reaper.register(group);
        return group;
    }

    /** Starts coordinator {@code id} on a free gRPC port; returns once it serves (it may not lead yet). */
    public Coordinator start(String id) {
        return start(id, 0);
    }

    /**
     * Starts coordinator {@code id} on gRPC port {@code grpcPort} (0: a free one); returns once it
     * serves and its directory cache is loaded (it may not lead yet).
     *
     * @throws FixtureException saying which coordinator, ZooKeeper and namespace, with the cause
     *                          (e.g. a {@code java.net.BindException} when the port is taken)
     */
    public Coordinator start(String id, int grpcPort) {
        return start(id, grpcPort, UnaryOperator.identity());
    }

    /**
     * Starts coordinator {@code id} on a free gRPC port with {@code overrides} applied on top of the
     * group's settings, for one coordinator that differs from the others (e.g. its
     * {@code nodeAddresses} going through a proxy); returns once it serves.
     *
     * @throws FixtureException as {@link #start(String, int)}
     */
    public Coordinator start(String id, UnaryOperator<CoordinatorConfig.Builder> overrides) {
        return start(id, 0, Objects.requireNonNull(overrides, "overrides == null"));
    }

    private Coordinator start(String id, int grpcPort, UnaryOperator<CoordinatorConfig.Builder> overrides) {
        Objects.requireNonNull(id, "id == null");
        synchronized (this) {
            if (closed) {
                throw new FixtureException("these coordinators are closed: cannot start " + id);
            }
        }
        CoordinatorConfig config = overrides.apply(settings.apply(CoordinatorConfig.builder(zookeeper).clusterPort(0).httpPort(0)
                        .members(all().stream().map(Coordinator::clusterAddress).toList())))
                .id(id).namespace(namespace).grpcPort(grpcPort).build();
        Coordinator coordinator;
        try {
            coordinator = Coordinator.start(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while starting coordinator " + id, e);
        } catch (Exception e) {
            throw new FixtureException("cannot start coordinator " + id + " (ZooKeeper " + zookeeper + ", namespace "
                    + namespace + ", gRPC port " + (grpcPort == 0 ? "any" : grpcPort) + "): " + e.getMessage(), e);
        }
        synchronized (this) {
            if (!closed) {
                running.add(coordinator);
                return coordinator;
            }
        }
        coordinator.close();
        throw new FixtureException("these coordinators were closed while " + id + " started");
    }

    /**
     * The coordinator that leads, once exactly one of the running ones does.
     *
     * @throws io.thoonk.testing.FixtureTimeoutException if none leads within {@link #LEADERSHIP_TIMEOUT}
     */
    public Coordinator leader() {
        return awaitLeader(LEADERSHIP_TIMEOUT);
    }

    /** Like {@link #leader()}, waiting at most {@code timeout}. */
    public Coordinator awaitLeader(Duration timeout) {
        return awaitLeader(all(), timeout);
    }

    /** The one place the fixtures wait for leadership: the coordinator's own election wait. */
    static Coordinator awaitLeader(List<Coordinator> candidates, Duration timeout) {
        if (candidates.isEmpty()) {
            throw new FixtureException("no coordinator is running: none can lead");
        }
        try {
            return Coordinator.awaitLeader(candidates, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while waiting for one of " + candidates.stream()
                    .map(Coordinator::id).toList() + " to lead");
        }
    }

    /** A running coordinator that does not lead, once one leads. */
    public Coordinator follower() {
        Coordinator leader = leader();
        return all().stream().filter(c -> c != leader).findFirst()
                .orElseThrow(() -> new FixtureException("only the leader " + leader.id() + " runs: no follower"));
    }

    /** The coordinators started and not {@link #stop stopped}, in start order. */
    public List<Coordinator> all() {
        return List.copyOf(running);
    }

    /** Their gRPC addresses ({@code host:port}), in start order: the routing client's targets. */
    public List<String> addresses() {
        return all().stream().map(Coordinator::address).toList();
    }

    /** The ZooKeeper connect string. */
    public String zookeeper() {
        return zookeeper;
    }

    /** The ZooKeeper namespace: the directory these coordinators share. */
    public String namespace() {
        return namespace;
    }

    /** A plaintext gRPC channel to {@code coordinator}, made once and closed with it. */
    public ManagedChannel channel(Coordinator coordinator) {
        return channels.computeIfAbsent(coordinator, c ->
                Grpc.newChannelBuilder(c.address(), InsecureChannelCredentials.create()).build());
    }

    /**
     * Closes {@code coordinator} (it leaves the election, and its clients see it go away as on a
     * shutdown), then the channel to it; the group forgets it.
     */
    public void stop(Coordinator coordinator) {
        running.remove(coordinator);
        try {
            coordinator.close();
        } finally {
            closeChannel(channels.remove(coordinator));
        }
    }

    private static void closeChannel(ManagedChannel channel) {
        if (channel == null) {
            return;
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(CHANNEL_CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every coordinator, newest first, with its channel; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Closer closer = new Closer();
        for (Coordinator c : new ArrayList<>(running)) {
            closer.add(() -> stop(c));
        }
        try {
            closer.close();
        } finally {
            Reaper.unregister(this);
        }
    }

    @Override
    public String toString() {
        return "coordinators" + running.stream().map(Coordinator::id).toList() + " (ZooKeeper " + zookeeper
                + ", namespace " + namespace + ")";
    }
}
