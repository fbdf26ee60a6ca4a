package io.thoonk.coordinator.metrics;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.migration.MoveHandle;
import io.thoonk.coordinator.shard.NodeLoad;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.coordinator.shard.ProbeObserver;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * One coordinator's Prometheus metrics (Micrometer), read with {@link #scrape()} in the Prometheus
 * text format; the coordinator's HTTP server serves that as {@code GET /metrics}. Every metric and
 * label is listed in docs/operations.md ("Metrics"); the Helm chart's alerts read them by name.
 *
 * <p><b>Cost.</b> Nothing is measured on a request path but two counter increments (resolves, and
 * Watch streams opened and closed). Gauges are functions read at scrape time from what the
 * coordinator holds anyway (the directory cache, its own probe reports); per-node load and probe
 * latency come from the prober's own probes ({@link ProbeObserver}); failovers from the failover
 * records as they are committed; moves from their progress reports. The meters of shards and
 * nodes follow the directory: each scrape adds those of new shards and nodes and removes those of
 * shards and nodes no longer registered.
 *
 * <p>Lifecycle: construct, hand the hooks to the parts ({@link #probes()}, {@link #directoryCalls()},
 * {@link #failoverRecorded}, {@link #moveStarted}), {@link #bind} once they run, then scrape.
 */
public final class CoordinatorMetrics {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorMetrics.class);

    /** Buckets of the probe latency histogram span these. */
    private static final Duration PROBE_MIN = Duration.ofMillis(1);
    private static final Duration PROBE_MAX = Duration.ofSeconds(2);
    private static final Duration PHASE_MIN = Duration.ofMillis(1);
    private static final Duration PHASE_MAX = Duration.ofMinutes(1);
    private static final Duration MOVE_MAX = Duration.ofHours(1);

    /** Failover phases, as the {@code phase} label names them. */
    static final List<String> PHASES = List.of("detect", "decide", "promote", "publish");

    /** What the gauges read, handed over once the coordinator's parts run. */
    public record Sources(String coordinatorId, BooleanSupplier leader, BooleanSupplier zookeeperConnected,
                          DirectoryCache cache, Supplier<Map<String, NodeReport>> ownReports,
                          IntSupplier movesInProgress, Clock clock) {
        public Sources {
            Objects.requireNonNull(coordinatorId, "coordinatorId == null");
            Objects.requireNonNull(leader, "leader == null");
            Objects.requireNonNull(zookeeperConnected, "zookeeperConnected == null");
            Objects.requireNonNull(cache, "cache == null");
            Objects.requireNonNull(ownReports, "ownReports == null");
            Objects.requireNonNull(movesInProgress, "movesInProgress == null");
            Objects.requireNonNull(clock, "clock == null");
        }
    }

    /** A node of a shard: the labels of per-node meters. */
    private record NodeKey(String shard, String node) {
        Tags tags() {
            return Tags.of("shard", shard, "node", node);
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter resolves;
    private final AtomicInteger watchStreams = new AtomicInteger();
    private final Counter moveBytes;
    private final Map<String, Timer> phases = new HashMap<>();
    private final Map<String, NodeLoad> loads = new ConcurrentHashMap<>();
    private final Map<NodeKey, Timer> probeTimers = new ConcurrentHashMap<>();
    private final Map<NodeKey, Counter> probeFailures = new ConcurrentHashMap<>();
    private volatile Sources sources;
    private volatile NodeIndex index = NodeIndex.EMPTY;
    // guarded by this
    private final Map<String, List<Meter>> shardMeters = new HashMap<>();
    private final Map<NodeKey, List<Meter>> nodeMeters = new HashMap<>();

    public CoordinatorMetrics() {
        resolves = Counter.builder("thoonk.resolves").description("Directory.Resolve calls answered or refused")
                .register(registry);
        Gauge.builder("thoonk.watch.streams", watchStreams, AtomicInteger::get)
                .description("Directory.Watch streams open on this coordinator").register(registry);
        moveBytes = Counter.builder("thoonk.move.bytes").description("bytes copied by the team moves this coordinator ran")
                .register(registry);
        for (String phase : PHASES) {
            phases.put(phase, Timer.builder("thoonk.failover.phase").tag("phase", phase)
                    .description("how long each phase of the failovers this coordinator led took")
                    .publishPercentileHistogram().minimumExpectedValue(PHASE_MIN).maximumExpectedValue(PHASE_MAX)
                    .register(registry));
        }
    }

    /** Starts the gauges that read the coordinator's state; once. */
    public synchronized void bind(Sources sources) {
        Objects.requireNonNull(sources, "sources == null");
        if (this.sources != null) {
            throw new IllegalStateException("the metrics are bound already");
        }
        this.sources = sources;
        Gauge.builder("thoonk.coordinator.leader", () -> sources.leader().getAsBoolean() ? 1 : 0)
                .description("1 on the coordinator that leads (decides), 0 on the others").register(registry);
        Gauge.builder("thoonk.zookeeper.connected", () -> sources.zookeeperConnected().getAsBoolean() ? 1 : 0)
                .description("1 while this coordinator is connected to ZooKeeper").register(registry);
        Gauge.builder("thoonk.directory.revision", () -> sources.cache().revision())
                .description("the directory revision this coordinator has applied").register(registry);
        Gauge.builder("thoonk.directory.teams", () -> sources.cache().view().teamCount())
                .description("teams placed in all").register(registry);
        Gauge.builder("thoonk.moves.in.progress", () -> sources.movesInProgress().getAsInt())
                .description("team moves this coordinator runs now").register(registry);
        refresh();
    }

    /** The registry, for meters of other parts (e.g. the HTTP server's). */
    public MeterRegistry registry() {
        return registry;
    }

    /** Every metric in the Prometheus text format (version 0.0.4), the meters of shards and nodes brought up to date first. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    // ---- the hooks ----

    /** The prober's observer: probe latency per node and, about once a second, each node's load. */
    public ProbeObserver probes() {
        return (node, nanos, answered, load) -> {
            NodeKey key = index().keyOf(node);
            if (key == null) {
                return; // not (or no longer) in the directory
            }
            if (load != null) {
                loads.put(node, load);
            }
            if (answered) {
                probeTimer(key).record(nanos, TimeUnit.NANOSECONDS);
            } else {
                probeFailure(key).increment();
            }
        };
    }

    /**
     * For the {@code Directory} service: counts {@code Resolve} calls and the {@code Watch} streams
     * open (opened, less those completed or cancelled).
     */
    public ServerInterceptor directoryCalls() {
        String resolve = DirectoryGrpc.getResolveMethod().getFullMethodName();
        String watch = DirectoryGrpc.getWatchMethod().getFullMethodName();
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                               ServerCallHandler<Q, A> next) {
                String method = call.getMethodDescriptor().getFullMethodName();
                if (method.equals(resolve)) {
                    resolves.increment();
                } else if (method.equals(watch)) {
                    return countedStream(next.startCall(call, headers));
                }
                return next.startCall(call, headers);
            }
        };
    }

    private <Q> ServerCall.Listener<Q> countedStream(ServerCall.Listener<Q> delegate) {
        watchStreams.incrementAndGet();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                watchStreams.decrementAndGet();
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onComplete() {
                end.run();
                super.onComplete();
            }

            @Override
            public void onCancel() {
                end.run();
                super.onCancel();
            }
        };
    }

    /**
     * A failover record just committed (every coordinator sees each); counted by the coordinator
     * that decided it, so the sum over coordinators counts each failover once.
     */
    public void failoverRecorded(FailoverRecord r) {
        Sources s = sources;
        if (s == null || !r.getCoordinatorId().equals(s.coordinatorId())) {
            return;
        }
        if (!r.getOutcome().equals("promoted")) {
            Counter.builder("thoonk.failover.failures").tag("shard", r.getShardId())
                    .tag("outcome", r.getOutcome().startsWith("abandoned") ? "abandoned" : "not_promoted")
                    .description("failovers that promoted no replica: none could be (the shard FAILED) or abandoned")
                    .register(registry).increment();
            return;
        }
        failovers(r.getShardId(), r.getKind()).increment();
        if (r.getKind() == FailoverKind.FAILOVER_AUTOMATIC) {
            phase("detect", r.getDetectedMillis());
        }
        phase("decide", r.getDecidedMillis() - r.getDetectedMillis());
        phase("promote", r.getPromotedMillis() - r.getDecidedMillis());
        // committed and seen here: now, by the clock that stamped the record (this coordinator's)
        phase("publish", s.clock().millis() - r.getStartedAtMillis() - r.getPromotedMillis());
    }

    private void phase(String name, long millis) {
        phases.get(name).record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    private Counter failovers(String shard, FailoverKind kind) {
        return Counter.builder("thoonk.failovers").tag("shard", shard)
                .tag("kind", kind == FailoverKind.FAILOVER_PLANNED ? "planned" : "automatic")
                .description("primaries replaced by a replica (automatic failovers and planned switchovers)")
                .register(registry);
    }

    /**
     * A move this coordinator starts or resumes: its bytes, its end, its duration and write pause;
     * each phase it enters is logged as a decision line ({@code decision=move-phase}).
     */
    public void moveStarted(MoveHandle move) {
        long[] copied = {0};
        MovePhase[] phase = {null};
        move.addListener(p -> {
            if (p.getPhase() != phase[0] && !isFinal(p.getPhase())) {
                phase[0] = p.getPhase();
                log.info("move {} of team '{}' from shard '{}' to shard '{}': {} [decision=move-phase team={} shard={} "
                        + "epoch={}]", p.getMoveId(), p.getTeam(), p.getSourceShardId(), p.getTargetShardId(),
                        p.getPhase(), p.getTeam(), p.getSourceShardId(), p.getEpoch() - 1);
            }
            long delta = p.getBytesCopied() - copied[0];
            if (delta > 0) {
                moveBytes.increment(delta);
                copied[0] = p.getBytesCopied();
            }
            if (isFinal(p.getPhase())) {
                moveEnded(p);
            }
        });
    }

    private static boolean isFinal(MovePhase phase) {
        return phase == MovePhase.MOVE_DONE || phase == MovePhase.MOVE_CANCELLED || phase == MovePhase.MOVE_ROLLED_BACK;
    }

    private void moveEnded(MoveProgress p) {
        String outcome = switch (p.getPhase()) {
            case MOVE_DONE -> "done";
            case MOVE_CANCELLED -> "cancelled";
            default -> "rolled_back";
        };
        Timer.builder("thoonk.move").tag("outcome", outcome)
                .description("team moves this coordinator ran, by how they ended, and how long they took")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(MOVE_MAX)
                .register(registry).record(p.getElapsedMillis(), TimeUnit.MILLISECONDS);
        if (p.getWritePauseMillis() > 0) {
            Timer.builder("thoonk.move.write.pause").description("how long a moved team's writes were paused")
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(PHASE_MAX).register(registry)
                    .record(p.getWritePauseMillis(), TimeUnit.MILLISECONDS);
        }
    }

    // ---- per shard and node ----

    private Timer probeTimer(NodeKey key) {
        Timer t = probeTimers.get(key);
        if (t != null) {
            return t;
        }
        synchronized (this) {
            return probeTimers.computeIfAbsent(key, k -> Timer.builder("thoonk.probe").tags(key.tags())
                    .description("how long this coordinator's probes (PING, INFO) of a node took to answer")
                    .publishPercentiles(0.5, 0.99).publishPercentileHistogram()
                    .minimumExpectedValue(PROBE_MIN).maximumExpectedValue(PROBE_MAX).register(registry));
        }
    }

    private Counter probeFailure(NodeKey key) {
        Counter c = probeFailures.get(key);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            return probeFailures.computeIfAbsent(key, k -> Counter.builder("thoonk.probe.failures")
                    .tags(key.tags()).description("probes of a node that failed or timed out").register(registry));
        }
    }

    /** Which shard each node of the directory belongs to, as of one view. */
    private record NodeIndex(DirectoryView view, Map<String, NodeKey> keys) {
        static final NodeIndex EMPTY = new NodeIndex(null, Map.of());

        NodeKey keyOf(String node) {
            return keys.get(node);
        }

        static NodeIndex of(DirectoryView view) {
            Map<String, NodeKey> keys = new HashMap<>();
            for (Shard shard : view.shards()) {
                for (String node : nodesOf(shard)) {
                    keys.put(node, new NodeKey(shard.getId(), node));
                }
            }
            return new NodeIndex(view, Map.copyOf(keys));
        }
    }

    private static List<String> nodesOf(Shard shard) {
        List<String> nodes = new ArrayList<>();
        if (!shard.getPrimary().isEmpty()) {
            nodes.add(shard.getPrimary());
        }
        nodes.addAll(shard.getReplicasList());
        return nodes;
    }

    private NodeIndex index() {
        Sources s = sources;
        if (s == null) {
            return NodeIndex.EMPTY;
        }
        DirectoryView view = s.cache().view();
        NodeIndex i = index;
        if (i.view() != view) {
            i = NodeIndex.of(view);
            index = i;
        }
        return i;
    }

    /** Adds the meters of new shards and nodes and removes those of shards and nodes gone. */
    private synchronized void refresh() {
        Sources s = sources;
        if (s == null) {
            return;
        }
        NodeIndex now = index();
        Set<String> shards = new HashSet<>();
        for (Shard shard : now.view().shards()) {
            shards.add(shard.getId());
            shardMeters.computeIfAbsent(shard.getId(), id -> shardMeters(s, id));
        }
        Set<NodeKey> nodes = new HashSet<>(now.keys().values());
        for (NodeKey key : nodes) {
            nodeMeters.computeIfAbsent(key, k -> nodeMeters(s, k));
        }
        shardMeters.entrySet().removeIf(e -> {
            if (shards.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            registry.getMeters().stream().filter(m -> e.getKey().equals(m.getId().getTag("shard")))
                    .forEach(registry::remove);
            return true;
        });
        nodeMeters.entrySet().removeIf(e -> {
            if (nodes.contains(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            for (Map<NodeKey, ? extends Meter> probeMeters : List.of(probeTimers, probeFailures)) {
                Meter m = probeMeters.remove(e.getKey());
                if (m != null) {
                    registry.remove(m);
                }
            }
            if (!now.keys().containsKey(e.getKey().node())) {
                loads.remove(e.getKey().node());
            }
            return true;
        });
    }

    private List<Meter> shardMeters(Sources s, String id) {
        Tags tags = Tags.of("shard", id);
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("thoonk.shard.teams", () -> s.cache().view().teamCount(id)).tags(tags)
                .description("teams placed on the shard").register(registry));
        meters.add(Gauge.builder("thoonk.shard.epoch", () -> shard(s, id).map(Shard::getEpoch).orElse(0L))
                .tags(tags).description("the shard's epoch (goes up with each change of primary)").register(registry));
        meters.add(Gauge.builder("thoonk.shard.replicas", () -> shard(s, id).map(Shard::getReplicasCount).orElse(0))
                .tags(tags).description("replicas the directory lists for the shard").register(registry));
        meters.add(Gauge.builder("thoonk.shard.live.replicas", () -> liveReplicas(s, id)).tags(tags)
                .description("replicas this coordinator sees answering and following the shard's primary")
                .register(registry));
        // at 0 from the start, so the first failover is an increase
        meters.add(failovers(id, FailoverKind.FAILOVER_AUTOMATIC));
        meters.add(failovers(id, FailoverKind.FAILOVER_PLANNED));
        return meters;
    }

    private static Optional<Shard> shard(Sources s, String id) {
        return s.cache().view().shard(id);
    }

    private static int liveReplicas(Sources s, String id) {
        Shard shard = shard(s, id).orElse(null);
        if (shard == null) {
            return 0;
        }
        Map<String, NodeReport> reports = s.ownReports().get();
        int live = 0;
        for (String replica : shard.getReplicasList()) {
            NodeReport r = reports.get(replica);
            if (r != null && r.replicatesFrom(shard.getPrimary())) {
                live++;
            }
        }
        return live;
    }

    private List<Meter> nodeMeters(Sources s, NodeKey key) {
        Tags tags = key.tags();
        String node = key.node();
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("thoonk.node.up", () -> {
            NodeReport r = s.ownReports().get().get(node);
            return r == null ? Double.NaN : r.reachable() ? 1 : 0;
        }).tags(tags).description("1 when this coordinator's last probe of the node was answered, 0 when not "
                + "(absent until the first probe ends)").register(registry));
        meters.add(Gauge.builder("thoonk.node.primary", () -> shard(s, key.shard())
                        .map(sh -> sh.getPrimary().equals(node) ? 1 : 0).orElse(0)).tags(tags)
                .description("1 for the node the directory names the shard's primary").register(registry));
        meters.add(Gauge.builder("thoonk.node.memory.used.bytes", () -> load(node, NodeLoad::usedMemoryBytes))
                .tags(tags).description("the node's used_memory").register(registry));
        meters.add(Gauge.builder("thoonk.node.memory.max.bytes", () -> load(node, NodeLoad::maxMemoryBytes))
                .tags(tags).description("the node's maxmemory (0: no limit)").register(registry));
        meters.add(Gauge.builder("thoonk.node.ops.per.second", () -> load(node, NodeLoad::opsPerSecond))
                .tags(tags).description("the node's instantaneous_ops_per_sec").register(registry));
        return meters;
    }

    private double load(String node, ToLongFunction<NodeLoad> field) {
        NodeLoad l = loads.get(node);
        return l == null ? Double.NaN : field.applyAsLong(l);
    }
}
