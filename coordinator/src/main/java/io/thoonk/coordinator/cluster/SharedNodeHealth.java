package io.thoonk.coordinator.cluster;

import com.hazelcast.topic.ITopic;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.shard.NodeProber;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.proto.v1.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@link NodeHealthView} of a coordinator: its own {@link NodeProber} probes every node of
 * every shard in the directory, it shares its reports with the other coordinators over the
 * cluster ({@link CoordinatorCluster}), and it combines everyone's.
 *
 * <p><b>Sharing.</b> A coordinator sends its whole set of reports ({@link ProbeSnapshot}) on a
 * Hazelcast topic when something material changed (a node's reachability, role, primary, link, or
 * its having been unreachable for down-after) and at least every {@link #PUBLISH_EVERY}, so a
 * receiver can tell a live sender from a silent one: reports not renewed within
 * {@link #STALE_AFTER} are ignored, and those of a member that left are dropped.
 *
 * <p><b>Verdict.</b> A node is {@link #isDown down} when this coordinator has quorum and at least a
 * majority of the deployment's coordinators (live members with fresh reports, this one included)
 * each report it unreachable for at least down-after. The verdict is recomputed on the view's own
 * thread whenever a report or the membership changes, and read lock-free from an immutable
 * snapshot; listeners are told of changes on another thread, one call at a time, in order.
 *
 * <p>Lifecycle: construct (nothing runs), {@link #start} with the coordinator's id, {@link #close}
 * (idempotent; also closes the prober handed in).
 */
public final class SharedNodeHealth implements NodeHealthView, AutoCloseable {

    /** A coordinator sends its reports at least this often. */
    static final Duration PUBLISH_EVERY = Duration.ofSeconds(1);
    /** Another coordinator's reports not renewed for this long are ignored. */
    static final Duration STALE_AFTER = Duration.ofSeconds(3);
    static final String TOPIC = "thoonk.node-reports";
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(SharedNodeHealth.class);

    private enum State { LATENT, STARTED, CLOSED }

    private final CoordinatorCluster cluster;
    private final DirectoryCache cache;
    private final NodeProber prober;
    private final long downAfterMillis;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService thread;
    private final ExecutorService notifier;
    private volatile Combined combined = Combined.NONE;
    private volatile Runnable unsubscribe = () -> { };
    // confined to this view's thread
    private final Map<UUID, Heard> heard = new HashMap<>();
    private String coordinatorId;
    private ITopic<ProbeSnapshot> topic;
    private long sequence;
    private Map<String, Signal> lastSent = Map.of();
    private long lastSentNanos;
    // confined to the prober's thread
    private DirectoryView targetsOf;
    private Set<String> targets = Set.of();

    /**
     * @param cluster   the coordinators' cluster (quorum, and the channel the reports travel on)
     * @param cache     the directory: its shards' nodes are probed
     * @param prober    probes the nodes; owned from now on (closed with this view)
     * @param downAfter how long a majority must see a node unreachable before it is down
     */
    public SharedNodeHealth(CoordinatorCluster cluster, DirectoryCache cache, NodeProber prober, Duration downAfter) {
        this.cluster = Objects.requireNonNull(cluster, "cluster == null");
        this.cache = Objects.requireNonNull(cache, "cache == null");
        this.prober = Objects.requireNonNull(prober, "prober == null");
        this.downAfterMillis = Objects.requireNonNull(downAfter, "downAfter == null").toMillis();
        this.thread = Executors.newSingleThreadExecutor(named("thoonk-health"));
        this.notifier = Executors.newSingleThreadExecutor(named("thoonk-health-listeners"));
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts probing, sharing and listening, as coordinator {@code coordinatorId}. */
    public void start(String coordinatorId) {
        Objects.requireNonNull(coordinatorId, "coordinatorId == null");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("the node health view was already started or is closed");
        }
        ITopic<ProbeSnapshot> reports = cluster.topic(TOPIC);
        onThread(() -> {
            this.coordinatorId = coordinatorId;
            this.topic = reports;
            Thread.currentThread().setName("thoonk-health-" + coordinatorId);
        });
        notifier.execute(() -> Thread.currentThread().setName("thoonk-health-listeners-" + coordinatorId));
        // The topic listener stays until the member leaves: it ignores messages once this view is closed,
        // and removing it is a cluster-wide call that waits on members that just left (~0.7 s).
        reports.addMessageListener(message -> {
            long at = System.nanoTime();
            UUID from = message.getPublishingMember().getUuid();
            ProbeSnapshot snapshot = message.getMessageObject();
            onThread(() -> received(from, snapshot, at));
        });
        Runnable membership = cluster.onMembership((member, joined) -> onThread(() -> membershipChanged(member, joined)));
        unsubscribe = membership;
        prober.start(this::targets, snapshot -> onThread(() -> probed(snapshot)));
    }

    private void onThread(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("updating the node health view failed: {}", e.toString(), e);
                }
            });
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    /** The nodes of every shard in the directory, recomputed when the directory changes (prober's thread). */
    private Set<String> targets() {
        DirectoryView view = cache.view();
        if (view != targetsOf) {
            Set<String> nodes = new LinkedHashSet<>();
            for (Shard shard : view.shards()) {
                if (!shard.getPrimary().isEmpty()) {
                    nodes.add(shard.getPrimary());
                }
                nodes.addAll(shard.getReplicasList());
            }
            targets = Collections.unmodifiableSet(nodes);
            targetsOf = view;
        }
        return targets;
    }

    private void probed(Map<String, NodeReport> reports) {
        if (state.get() != State.STARTED) {
            return;
        }
        long now = System.nanoTime();
        UUID self = cluster.localMemberId();
        if (self == null) {
            return; // the member has stopped: nothing to share, and no quorum
        }
        heard.put(self, new Heard(coordinatorId, Long.MAX_VALUE, reports, now));
        Map<String, Signal> signals = new HashMap<>();
        reports.forEach((node, r) -> signals.put(node, signal(r)));
        if (!signals.equals(lastSent) || now - lastSentNanos >= PUBLISH_EVERY.toNanos()) {
            send(reports, signals, now);
            forgetDeparted(now);
        }
        evaluate();
    }

    private void send(Map<String, NodeReport> reports, Map<String, Signal> signals, long now) {
        try {
            topic.publish(new ProbeSnapshot(coordinatorId, ++sequence, List.copyOf(reports.values())));
            lastSent = signals;
            lastSentNanos = now;
        } catch (RuntimeException e) {
            log.warn("coordinator {} could not share its node reports: {}", coordinatorId, e.toString());
        }
    }

    private void received(UUID from, ProbeSnapshot snapshot, long at) {
        if (state.get() != State.STARTED || from.equals(cluster.localMemberId())) {
            return;
        }
        Heard before = heard.get(from);
        if (before != null && before.sequence() >= snapshot.sequence()) {
            return;
        }
        Map<String, NodeReport> byNode = new HashMap<>();
        snapshot.reports().forEach(r -> byNode.put(r.node(), r));
        heard.put(from, new Heard(snapshot.coordinatorId(), snapshot.sequence(), byNode, at));
        evaluate();
    }

    private void membershipChanged(UUID member, boolean joined) {
        if (state.get() != State.STARTED) {
            return;
        }
        if (joined) {
            // the newcomer learns this coordinator's view now rather than at the next periodic send
            Map<String, NodeReport> reports = prober.reports();
            Map<String, Signal> signals = new HashMap<>();
            reports.forEach((node, r) -> signals.put(node, signal(r)));
            send(reports, signals, System.nanoTime());
        } else {
            heard.remove(member);
        }
        evaluate();
    }

    /** Drops what members that are gone sent (their ids change after a split-brain merge). */
    private void forgetDeparted(long now) {
        Set<UUID> live = cluster.memberIds();
        heard.entrySet().removeIf(e -> !live.contains(e.getKey()) && now - e.getValue().atNanos() > STALE_AFTER.toNanos());
    }

    private void evaluate() {
        long now = System.nanoTime();
        Set<UUID> live = cluster.memberIds();
        boolean quorum = live.size() >= cluster.majority();
        UUID self = cluster.localMemberId();
        Map<String, Map<String, NodeReport>> byNode = new TreeMap<>();
        for (UUID member : live) {
            Heard h = heard.get(member);
            if (h == null || (!member.equals(self) && now - h.atNanos() > STALE_AFTER.toNanos())) {
                continue;
            }
            h.reports().forEach((node, r) -> byNode.computeIfAbsent(node, n -> new TreeMap<>()).put(h.coordinatorId(), r));
        }
        Set<String> down = new TreeSet<>();
        if (quorum) {
            byNode.forEach((node, reports) -> {
                long votes = reports.values().stream().filter(this::downLongEnough).count();
                if (votes >= cluster.majority()) {
                    down.add(node);
                }
            });
        }
        Map<String, Map<String, NodeReport>> frozen = new TreeMap<>();
        byNode.forEach((node, reports) -> frozen.put(node, Collections.unmodifiableMap(reports)));
        Combined next = new Combined(quorum, Collections.unmodifiableMap(frozen), Collections.unmodifiableSet(down));
        Combined previous = combined;
        combined = next;
        notifyChanges(previous, next);
    }

    private void notifyChanges(Combined previous, Combined next) {
        Set<String> nodes = new TreeSet<>(previous.reports().keySet());
        nodes.addAll(next.reports().keySet());
        List<String> changed = nodes.stream().filter(node -> previous.quorum() != next.quorum()
                || previous.down().contains(node) != next.down().contains(node)
                || !signals(previous.reports().get(node)).equals(signals(next.reports().get(node)))).toList();
        if (changed.isEmpty() || listeners.isEmpty()) {
            return;
        }
        try {
            notifier.execute(() -> changed.forEach(node -> listeners.forEach(l -> {
                try {
                    l.accept(node);
                } catch (RuntimeException e) {
                    log.warn("a node health listener failed on {}: {}", node, e.toString(), e);
                }
            })));
        } catch (RejectedExecutionException closed) {
            // closing
        }
    }

    private boolean downLongEnough(NodeReport r) {
        return !r.reachable() && r.downForMillis() >= downAfterMillis;
    }

    private Signal signal(NodeReport r) {
        return new Signal(r.reachable(), r.role(), r.primary(), r.linkUp(), downLongEnough(r));
    }

    private Map<String, Signal> signals(Map<String, NodeReport> reports) {
        if (reports == null) {
            return Map.of();
        }
        Map<String, Signal> out = new HashMap<>();
        reports.forEach((coordinator, r) -> out.put(coordinator, signal(r)));
        return out;
    }

    @Override
    public boolean hasQuorum() {
        return state.get() == State.STARTED && cluster.hasQuorum();
    }

    @Override
    public boolean isDown(String node) {
        return combined.down().contains(node) && hasQuorum();
    }

    @Override
    public Map<String, NodeReport> reports(String node) {
        return combined.reports().getOrDefault(node, Map.of());
    }

    /** Every node's reports, by node and then by coordinator id (live coordinators with fresh reports). */
    public Map<String, Map<String, NodeReport>> allReports() {
        return combined.reports();
    }

    /**
     * {@inheritDoc} A report reaching down-after counts as a change too. Listeners must return
     * quickly: they run on one thread, so a slow one delays the others (never the verdict).
     */
    @Override
    public void addListener(Consumer<String> nodeChanged) {
        listeners.add(Objects.requireNonNull(nodeChanged, "nodeChanged == null"));
    }

    /** Stops probing and sharing; idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        prober.close();
        unsubscribe.run();
        for (ExecutorService e : List.of(thread, notifier)) {
            e.shutdownNow();
            try {
                if (!e.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("a node health thread did not stop within {} ms", CLOSE_TIMEOUT.toMillis());
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** What one member told last, and when it arrived ({@link System#nanoTime()}). */
    private record Heard(String coordinatorId, long sequence, Map<String, NodeReport> reports, long atNanos) {
    }

    /** What about a report is worth telling the others (and listeners) at once. */
    private record Signal(boolean reachable, String role, String primary, boolean linkUp, boolean downLongEnough) {
    }

    /** The combined view, swapped whole. */
    private record Combined(boolean quorum, Map<String, Map<String, NodeReport>> reports, Set<String> down) {
        static final Combined NONE = new Combined(false, Map.of(), Set.of());
    }
}
