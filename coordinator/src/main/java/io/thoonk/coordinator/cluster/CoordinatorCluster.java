package io.thoonk.coordinator.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JavaSerializationFilterConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.topic.ITopic;
import io.thoonk.coordinator.CoordinatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The coordinators among themselves: every coordinator runs an embedded Hazelcast member, and the
 * coordinators of one directory (one ZooKeeper namespace, the cluster's name) form one cluster.
 * It gives membership, hence {@link #hasQuorum quorum}, and a channel to gossip on; every decision
 * stays in ZooKeeper (Hazelcast's CP subsystem is not in the open-source jar).
 *
 * <p><b>Joining.</b> A fixed list of members ({@link Settings#members}, TCP-IP join; multicast and
 * auto-detection off); a member whose list is empty starts a cluster that others may join.
 * Kubernetes DNS discovery (a headless Service) belongs in {@link #join}, next to TCP-IP.
 *
 * <p><b>Failure detection.</b> Heartbeats every {@value #HEARTBEAT_SECONDS} s; a member silent for
 * {@value #MAX_NO_HEARTBEAT_SECONDS} s is removed (a killed one leaves at once, its connection
 * closing). A member that sees fewer than a majority of {@link Settings#clusterSize} members,
 * itself included, has no quorum.
 *
 * <p>{@link #start} and {@link #close} have deadlines; {@code close} leaves the cluster gracefully,
 * so the others count one member fewer at once.
 */
public final class CoordinatorCluster implements AutoCloseable {

    /** How long {@link #start} waits for the member to start and join. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final int HEARTBEAT_SECONDS = 1;
    static final int MAX_NO_HEARTBEAT_SECONDS = 3;
    /** Longest graceful leave before the member just stops. */
    static final int LEAVE_SECONDS = 5;
    /** The first port tried for {@link Settings#port} 0. */
    static final int FIRST_PORT = 5701;

    private static final Logger log = LoggerFactory.getLogger(CoordinatorCluster.class);
    private static final AtomicInteger instances = new AtomicInteger();

    /**
     * @param name        the cluster's name: the ZooKeeper namespace (coordinators of one directory form one cluster)
     * @param bind        the address to listen on; a wildcard ({@code 0.0.0.0}) lets Hazelcast pick the interfaces
     * @param port        the member's port; 0: the first free one from {@value #FIRST_PORT} up
     * @param members     {@code host} or {@code host:port} of the members to join (empty: start a cluster)
     * @param clusterSize how many coordinators the deployment has (quorum is a majority of it)
     */
    public record Settings(String name, String bind, int port, List<String> members, int clusterSize) {
        public Settings {
            Objects.requireNonNull(name, "name == null");
            Objects.requireNonNull(bind, "bind == null");
            members = List.copyOf(Objects.requireNonNull(members, "members == null"));
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            if (clusterSize < 1) {
                throw new IllegalArgumentException("clusterSize must be >= 1, was " + clusterSize);
            }
        }

        /** How many members make a majority of {@link #clusterSize}. */
        public int majority() {
            return clusterSize / 2 + 1;
        }
    }

    private final Settings settings;
    private final HazelcastInstance hazelcast;
    private final AtomicBoolean closed = new AtomicBoolean();

    private CoordinatorCluster(Settings settings, HazelcastInstance hazelcast) {
        this.settings = settings;
        this.hazelcast = hazelcast;
    }

    /**
     * Starts this coordinator's member and joins the others that are up; returns once it has joined
     * (or started a cluster of its own when none answers).
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the port is taken or the bind address is not
     *                              this machine's; UNAVAILABLE when it does not start within {@code timeout}
     */
    public static CoordinatorCluster start(Settings settings, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(settings, "settings == null");
        Config config = config(settings);
        CompletableFuture<HazelcastInstance> starting = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                starting.complete(Hazelcast.newHazelcastInstance(config));
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        }, "thoonk-cluster-start");
        starter.setDaemon(true);
        starter.start();
        try {
            HazelcastInstance hazelcast = starting.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            CoordinatorCluster cluster = new CoordinatorCluster(settings, hazelcast);
            log.info("coordinators' cluster '{}': this member is {}, {} of {} members up (quorum {})", settings.name(),
                    cluster.address(), cluster.liveMembers(), settings.clusterSize(), settings.majority());
            return cluster;
        } catch (TimeoutException e) {
            starting.thenAccept(HazelcastInstance::shutdown);
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "the coordinators' cluster member ("
                    + describe(settings) + ") did not start within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw startFailed(settings, e.getCause());
        } catch (InterruptedException e) {
            starting.thenAccept(HazelcastInstance::shutdown);
            throw e;
        }
    }

    private static CoordinatorException startFailed(Settings settings, Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            String message = String.valueOf(c.getMessage());
            if (c instanceof BindException || message.contains("already in use")) {
                return new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "cannot start the "
                        + "coordinators' cluster member: port " + settings.port() + " on " + settings.bind()
                        + " is in use (another coordinator or program); choose another cluster port, or 0 for the "
                        + "first free one from " + FIRST_PORT, cause);
            }
        }
        return new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot start the coordinators' "
                + "cluster member (" + describe(settings) + "): " + cause, cause);
    }

    private static String describe(Settings s) {
        return "cluster '" + s.name() + "', " + s.bind() + ":" + (s.port() == 0 ? FIRST_PORT + "+" : s.port())
                + ", members " + s.members();
    }

    private static Config config(Settings s) {
        Config config = new Config();
        config.setClusterName(s.name());
        config.setInstanceName("thoonk-" + s.name() + "-" + instances.incrementAndGet());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(HEARTBEAT_SECONDS));
        config.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(MAX_NO_HEARTBEAT_SECONDS));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", Integer.toString(LEAVE_SECONDS));
        // the cluster holds no partitioned data (only gossip), so few partitions make joins and leaves cheap
        config.setProperty("hazelcast.partition.count", "7");
        // a joining member connects to the others on demand instead of waiting whole seconds for it
        config.setProperty("hazelcast.connect.all.wait.seconds", "0");
        // after a partition heals, the two sides find each other again within seconds, not minutes
        config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
        config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
        // what the members send each other by Java serialization is this package's records, nothing else
        JavaSerializationFilterConfig filter = new JavaSerializationFilterConfig();
        filter.getWhitelist().addPrefixes("io.thoonk.coordinator.", "java.util.", "java.lang.");
        config.getSerializationConfig().setJavaSerializationFilterConfig(filter);
        NetworkConfig network = config.getNetworkConfig();
        network.setPort(s.port() == 0 ? FIRST_PORT : s.port()).setPortAutoIncrement(s.port() == 0);
        InetAddress bind = resolve(s.bind());
        if (!bind.isAnyLocalAddress()) {
            network.getInterfaces().setEnabled(true).addInterface(bind.getHostAddress());
            config.setProperty("hazelcast.socket.bind.any", "false");
        }
        join(network.getJoin(), s);
        return config;
    }

    /**
     * How members find each other: the fixed list. Kubernetes DNS discovery goes here (with the
     * Helm chart): {@code join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", ...)}
     * instead of TCP-IP.
     */
    private static void join(JoinConfig join, Settings s) {
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        // enabled even with no members: a cluster others can join, started without waiting for anyone
        join.getTcpIpConfig().setEnabled(true).setMembers(s.members());
    }

    private static InetAddress resolve(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                    "cannot resolve the bind address '" + bind + "' for the coordinators' cluster member", e);
        }
    }

    /** {@code host:port} of this member, as the others reach it. */
    public String address() {
        Member local = hazelcast.getCluster().getLocalMember();
        return local.getAddress().getHost() + ":" + local.getAddress().getPort();
    }

    /** How many members make a quorum. */
    public int majority() {
        return settings.majority();
    }

    /** How many coordinators the deployment has. */
    public int clusterSize() {
        return settings.clusterSize();
    }

    /** The members this one sees, itself included (0 once closed). */
    public int liveMembers() {
        return memberIds().size();
    }

    /** True while this member sees a majority of the deployment's coordinators, itself included. */
    public boolean hasQuorum() {
        return liveMembers() >= settings.majority();
    }

    /** The ids of the members this one sees, itself included (empty once closed). */
    Set<UUID> memberIds() {
        if (closed.get() || !hazelcast.getLifecycleService().isRunning()) {
            return Set.of();
        }
        return hazelcast.getCluster().getMembers().stream().map(Member::getUuid).collect(Collectors.toUnmodifiableSet());
    }

    /** This member's id (it changes when the member rejoins after a split-brain merge); null once closed. */
    UUID localMemberId() {
        if (closed.get() || !hazelcast.getLifecycleService().isRunning()) {
            return null;
        }
        return hazelcast.getCluster().getLocalMember().getUuid();
    }

    /** The topic {@code name}: messages to every member, in publishing order per publisher. */
    <E> ITopic<E> topic(String name) {
        return hazelcast.getTopic(name);
    }

    /**
     * Calls {@code changed} (on a Hazelcast thread) when a member joins ({@code true}) or leaves
     * ({@code false}) with its id, and with this member's id and {@code true} after a merge.
     */
    Runnable onMembership(MembershipChange changed) {
        UUID membership = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                changed.accept(event.getMember().getUuid(), true);
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                changed.accept(event.getMember().getUuid(), false);
            }
        });
        UUID lifecycle = hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                changed.accept(localMemberId(), true);
            }
        });
        return () -> {
            if (hazelcast.getLifecycleService().isRunning()) {
                hazelcast.getCluster().removeMembershipListener(membership);
                hazelcast.getLifecycleService().removeLifecycleListener(lifecycle);
            }
        };
    }

    /** A change of membership. */
    @FunctionalInterface
    interface MembershipChange {
        void accept(UUID member, boolean joined);
    }

    /** Leaves the cluster (gracefully, within {@value #LEAVE_SECONDS} s); idempotent. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            hazelcast.shutdown();
        } catch (RuntimeException e) {
            log.warn("leaving the coordinators' cluster '{}' failed: {}", settings.name(), e.toString());
            hazelcast.getLifecycleService().terminate();
        }
    }
}
