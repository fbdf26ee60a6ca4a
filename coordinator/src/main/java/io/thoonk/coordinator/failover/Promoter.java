package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.placement.Decisions;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps every shard served by one writable primary, on the leader: replaces a primary the
 * coordinators agree is down ({@link NodeHealthView}) by its best replica, finishes or abandons a
 * change a previous leader left unfinished, keeps the nodes and their replication settings in line
 * with the directory, and runs planned switchovers ({@link #switchover}).
 *
 * <p>It works in rounds on a thread of its own: one every {@link Settings#checkInterval()}, one as
 * soon as the health view reports a change or this coordinator becomes leader. A round does
 * nothing unless this coordinator leads; then it (1) resumes the unfinished failovers recorded in
 * ZooKeeper, (2) replaces each primary that {@link NodeHealthView#isDown is down} (only with
 * {@link NodeHealthView#hasQuorum quorum}), (3) asks every node of every other shard about its
 * replication at once, without waiting: each shard is kept ({@link Upkeep}) on the same thread
 * once the answers are in (within the node timeout), so a hung node never holds up the next
 * round and a verdict is acted on at once. Every change is one
 * {@link Decisions decision}, so it never interleaves with placements, registrations or another
 * change. A failed round is logged (at most once per shard and problem every
 * {@value #WARN_INTERVAL_SECONDS} s) and the next round tries again.
 */
public final class Promoter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Promoter.class);
    private static final long WARN_INTERVAL_SECONDS = 30;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** The points between the steps of a promotion where {@link PhaseHook} is called. */
    public enum Phase {
        /** The intent is in ZooKeeper; nothing changed on the Redis nodes yet. */
        DECIDED,
        /** The chosen replica answers as a primary; the directory does not name it yet. */
        PROMOTED
    }

    /**
     * Called on the promoting thread at each {@link Phase} of every promotion and switchover: a seam
     * for fault tests (stopping a leader between two steps); production uses {@link #NONE}.
     */
    @FunctionalInterface
    public interface PhaseHook {
        PhaseHook NONE = (phase, intent) -> { };

        void reached(Phase phase, FailoverRecord intent) throws InterruptedException;
    }

    /**
     * How the promoter works.
     *
     * @param callTimeout       of waiting for a decision's turn and for the directory cache
     * @param nodeTimeout       of each question to a Redis node during a failover (they are asked at once)
     * @param checkInterval     how often a round runs without being asked for
     * @param minReplicasMaxLag the {@code min-replicas-max-lag} of primaries with a live replica (whole seconds)
     * @param clock             the wall clock of failover records
     */
    public record Settings(Duration callTimeout, Duration nodeTimeout, Duration checkInterval,
                           Duration minReplicasMaxLag, Clock clock) {

        /** Questions to nodes time out after this long unless said otherwise. */
        public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofMillis(300);
        /** Rounds run this often unless said otherwise. */
        public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofMillis(250);

        public Settings {
            Objects.requireNonNull(callTimeout, "callTimeout == null");
            Objects.requireNonNull(nodeTimeout, "nodeTimeout == null");
            Objects.requireNonNull(checkInterval, "checkInterval == null");
            Objects.requireNonNull(minReplicasMaxLag, "minReplicasMaxLag == null");
            Objects.requireNonNull(clock, "clock == null");
        }

        /** The defaults for the node timeout and check interval. */
        public static Settings of(Duration callTimeout, Duration minReplicasMaxLag, Clock clock) {
            return new Settings(callTimeout, DEFAULT_NODE_TIMEOUT, DEFAULT_CHECK_INTERVAL, minReplicasMaxLag, clock);
        }

        long minReplicasMaxLagSeconds() {
            return minReplicasMaxLag.toSeconds();
        }
    }

    private enum State { LATENT, STARTED, CLOSED }

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Decisions decisions;
    private final NodeHealthView health;
    private final Leadership leadership;
    private final Settings settings;
    private final PhaseHook hook;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final AtomicBoolean roundQueued = new AtomicBoolean();
    private final Map<String, Long> warned = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService executor;
    private volatile CompletableFuture<Void> awaitedLeadership;
    private volatile Promotion promotion;
    private volatile Switchover switchover;
    private volatile Upkeep upkeep;
    // confined to the promoter's thread
    private Set<String> unfinished = new HashSet<>();
    private boolean asking;

    public Promoter(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions,
                    NodeHealthView health, Leadership leadership, Settings settings, PhaseHook hook) {
        this.store = Objects.requireNonNull(store, "store == null");
        this.cache = Objects.requireNonNull(cache, "cache == null");
        this.nodes = Objects.requireNonNull(nodes, "nodes == null");
        this.decisions = Objects.requireNonNull(decisions, "decisions == null");
        this.health = Objects.requireNonNull(health, "health == null");
        this.leadership = Objects.requireNonNull(leadership, "leadership == null");
        this.settings = Objects.requireNonNull(settings, "settings == null");
        this.hook = Objects.requireNonNull(hook, "hook == null");
    }

    /** Starts the rounds; {@code coordinatorId} goes into the failover records this coordinator writes. */
    public void start(String coordinatorId) {
        Objects.requireNonNull(coordinatorId, "coordinatorId == null");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("promoter already started or closed");
        }
        Parts parts = new Parts(store, cache, nodes, health, settings, hook, coordinatorId);
        promotion = new Promotion(parts);
        switchover = new Switchover(parts, promotion);
        upkeep = new Upkeep(parts);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thoonk-failover-" + coordinatorId);
            t.setDaemon(true);
            return t;
        });
        health.addListener(node -> requestRound());
        executor.scheduleWithFixedDelay(this::requestRound, 0, settings.checkInterval().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Hands the primary of {@code shardId} over to a replica with no lost write (see
     * {@link Switchover}): {@code to}, or the live replica with the highest offset. Call it on the leader.
     *
     * @param timeout how long writes may pause while the replica catches up: 1 ms to 5 s
     * @throws CoordinatorException INVALID_ARGUMENT for a bad timeout, NOT_FOUND for an unknown shard or
     *                              replica, FAILED_PRECONDITION when no replica is in sync (or the shard has
     *                              none), DEADLINE_EXCEEDED when it did not catch up in time (nothing changed)
     */
    public FailoverResponse switchover(String shardId, Optional<String> to, Duration timeout) throws Exception {
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Switchover.MAX_TIMEOUT) > 0) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "timeout must be 1 to "
                    + Switchover.MAX_TIMEOUT.toMillis() + " ms (the longest write pause allowed), was "
                    + timeout.toMillis() + " ms");
        }
        Switchover planned = switchover;
        if (planned == null || state.get() != State.STARTED) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is not running failovers (starting or shutting down); retry");
        }
        return decisions.run("switching shard '" + shardId + "' over", () -> planned.run(shardId, to, timeout));
    }

    /** Asks for a round soon, unless one is waiting already. */
    private void requestRound() {
        ScheduledExecutorService e = executor;
        if (state.get() != State.STARTED || e == null || !roundQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            e.execute(this::round);
        } catch (RejectedExecutionException closing) {
            roundQueued.set(false);
        }
    }

    private void round() {
        roundQueued.set(false);
        if (state.get() != State.STARTED) {
            return;
        }
        if (!leadership.isLeader()) {
            CompletableFuture<Void> leading = leadership.leading();
            if (awaitedLeadership != leading) {
                awaitedLeadership = leading;
                leading.thenRun(this::requestRound);
            }
            return;
        }
        try {
            unfinished = resumeUnfinished();
            if (health.hasQuorum()) {
                for (Shard shard : cache.view().shards()) {
                    if (!unfinished.contains(shard.getId()) && health.isDown(shard.getPrimary())) {
                        attempt(shard.getId(), "replacing the primary " + shard.getPrimary(),
                                () -> promotion.failover(shard.getId()));
                    }
                }
            }
            askForUpkeep();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            warn("round", "a failover round failed (retried in " + settings.checkInterval().toMillis() + " ms): "
                    + e);
        }
    }

    /**
     * Asks the nodes of every shard without an unfinished failover about their replication, unless
     * the previous question is still out; the shards are kept once the answers are in, on this
     * thread, so a round (and a promotion) never waits for a node that hangs.
     */
    private void askForUpkeep() {
        if (asking) {
            return;
        }
        List<Shard> kept = cache.view().shards().stream().filter(s -> !unfinished.contains(s.getId())).toList();
        CompletableFuture<Upkeep.Answers> answers = upkeep.ask(kept);
        asking = true;
        answers.whenComplete((seen, error) -> onThread(() -> keep(kept, seen, error)));
    }

    /** Keeps each of {@code kept} with the answers {@code seen}, unless a failover of it is unfinished now. */
    private void keep(List<Shard> kept, Upkeep.Answers seen, Throwable error) {
        asking = false;
        if (state.get() != State.STARTED || !leadership.isLeader()) {
            return;
        }
        if (error != null) {
            warn("upkeep", "asking the nodes about their replication failed (retried in "
                    + settings.checkInterval().toMillis() + " ms): " + error);
            return;
        }
        try {
            for (Shard shard : kept) {
                if (!unfinished.contains(shard.getId())) {
                    attempt(shard.getId(), "keeping its nodes", () -> upkeep.keep(shard, seen));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onThread(Runnable task) {
        ScheduledExecutorService e = executor;
        try {
            e.execute(task);
        } catch (RejectedExecutionException closing) {
            // the promoter closed: nothing more to keep
        }
    }

    /** Resumes every unfinished failover; returns the shards that still have one. */
    private Set<String> resumeUnfinished() throws Exception {
        List<FailoverRecord> intents = store.intents();
        if (intents.isEmpty()) {
            return new HashSet<>();
        }
        for (FailoverRecord intent : intents) {
            attempt(intent.getShardId(), "resuming its unfinished failover", () -> promotion.resume(intent));
        }
        Set<String> left = new HashSet<>();
        store.intents().forEach(i -> left.add(i.getShardId()));
        return left;
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /**
     * One decision on one shard; a failure is logged and marks the shard unfinished until the next
     * round reads the intents again (its upkeep waits).
     */
    private void attempt(String shardId, String what, Step step) throws InterruptedException {
        try {
            decisions.run(what + " of shard '" + shardId + "'", () -> {
                step.run();
                return null;
            });
            warned.remove(shardId + ":" + what);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            unfinished.add(shardId);
            warn(shardId + ":" + what, "shard '" + shardId + "': " + what + " failed (retried at the next round): "
                    + (e instanceof CoordinatorException ? e.getMessage() : e.toString()));
        }
    }

    private void warn(String key, String message) {
        long now = System.nanoTime();
        Long last = warned.get(key);
        if (last == null || now - last > TimeUnit.SECONDS.toNanos(WARN_INTERVAL_SECONDS)) {
            warned.put(key, now);
            log.warn(message);
        }
    }

    /** Stops the rounds, interrupting one in progress (its intent stays for the next leader); idempotent. */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        ScheduledExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
            try {
                if (!e.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("a failover round still runs {} s after the promoter closed", STOP_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
