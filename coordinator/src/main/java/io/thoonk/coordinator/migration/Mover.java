package io.thoonk.coordinator.migration;

import io.thoonk.contract.TeamCopier;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.coordinator.placement.Decisions;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Moves teams between shards, on the leader, while they stay in use.
 *
 * <p>A move goes through {@code PREPARING} (checks, the intent written to ZooKeeper, the target
 * fenced frozen and cleared of leftovers), {@code COPYING} (rounds of {@link TeamCopier} while
 * writes continue, every change captured in the team's change log on the source, until a round finds
 * little to do), {@code CATCHING_UP} (the team's fence on the source set frozen: writes are refused
 * with the answer clients wait on; a last round copies what changed), {@code VERIFYING} (revisions and sizes compared object by object; the target's
 * replicas acknowledge the copy), {@code SWITCHING} (the target's fence active at the team epoch +
 * 1, then one ZooKeeper transaction placing the team on the target at that epoch; the source's
 * fence moved), {@code CLEANING_UP} (the source's copy deleted in bounded steps) and
 * {@code DONE}. The write pause is the time from the freeze to the switch's commit; a frozen phase
 * that would exceed {@link Settings#maxWritePause} (checked between pages) rolls the move back
 * instead.
 *
 * <p>Any failure before the switch rolls the move back ({@code MOVE_ROLLED_BACK}, the reason in
 * plain words: which shard, and what its Redis said or did not answer): the source's fence active
 * again and change capture switched off there, the target's copy deleted (when the target answers)
 * and its fence moved; a {@link #cancel} does the same ({@code MOVE_CANCELLED}). A change of
 * primary of the source or target shard during a move (a failover: the shard epoch moves) rolls it
 * back too. A move checks for these between every two pages of its copy, not only between rounds.
 * While copying, a refusal a Redis gives while it cannot take writes for a moment ({@code NOREPLICAS},
 * {@code LOADING}, {@code BUSY}) is retried within the call timeout. After the switch
 * a move is always finished. The team never has two writable owners: the target's fence stays
 * frozen until the source's is, and the directory names the target only once the source is frozen.
 *
 * <p>Each move is an intent in ZooKeeper ({@code /moves/active/<team>}), updated by
 * compare-and-set at every phase; the switch replaces it in the same transaction as the team's
 * placement. A leader that stops leaves it, and the next leader (at once, when it becomes leader)
 * finishes a move whose switch committed and rolls back any other. Finished moves go to
 * {@code /moves/history} (the newest {@value io.thoonk.coordinator.directory.ZkLayout#MOVES_KEPT}).
 *
 * <p>Moves run on threads of their own, any number at once (one per team); starting one and the
 * switch are {@link Decisions decisions}, serialized with placements and failovers.
 */
public final class Mover implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Mover.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    /** The points of a move where {@link PhaseHook} is called (a seam for fault tests). */
    @FunctionalInterface
    public interface PhaseHook {
        PhaseHook NONE = (phase, progress) -> { };

        /**
         * Called on the move's thread: at {@code MOVE_COPYING} before the first round, at
         * {@code MOVE_CATCHING_UP} once the source is frozen, at {@code MOVE_SWITCHING} before the
         * switch, at {@code MOVE_CLEANING_UP} after it.
         */
        void reached(MovePhase phase, MoveProgress progress) throws InterruptedException;
    }

    /**
     * How moves run.
     *
     * @param callTimeout      of each Redis call, of waiting for a decision's turn and for the directory cache
     * @param pageSize         elements per copy step (see {@link TeamCopier})
     * @param maxRounds        copy rounds while writes continue, at most, before freezing anyway
     * @param smallDelta       a round that copied at most this many items (and no whole object) is the
     *                         last before freezing
     * @param maxWritePause    the write-pause budget: a move whose team has been frozen this long and is
     *                         still catching up or verifying (checked between pages) stops and rolls back,
     *                         the team writable on its source again, instead of pausing writes longer
     *                         (default 5 s; Redis 8.4's atomic slot migration pauses writes 10 s at most)
     * @param progressInterval how often listeners hear of a move when no phase changes
     * @param clock            the wall clock of move records
     */
    public record Settings(Duration callTimeout, int pageSize, int maxRounds, long smallDelta, Duration maxWritePause,
                           Duration progressInterval, Clock clock) {

        /** The default write-pause budget. */
        public static final Duration DEFAULT_MAX_WRITE_PAUSE = Duration.ofSeconds(5);

        public Settings {
            Objects.requireNonNull(callTimeout, "callTimeout == null");
            Objects.requireNonNull(maxWritePause, "maxWritePause == null");
            Objects.requireNonNull(progressInterval, "progressInterval == null");
            Objects.requireNonNull(clock, "clock == null");
            if (pageSize < 1 || pageSize > 100_000 || maxRounds < 1 || smallDelta < 0) {
                throw new IllegalArgumentException("pageSize must be 1..100000, maxRounds >= 1, smallDelta >= 0; were "
                        + pageSize + ", " + maxRounds + ", " + smallDelta);
            }
            if (maxWritePause.isNegative() || maxWritePause.isZero()) {
                throw new IllegalArgumentException("maxWritePause must be > 0, was " + maxWritePause.toMillis() + " ms");
            }
        }

        /**
         * Pages of {@value TeamCopier#DEFAULT_PAGE_SIZE}, 20 rounds, a delta of 100 items, a write-pause
         * budget of 5 s, progress every second.
         */
        public static Settings of(Duration callTimeout, Clock clock) {
            return new Settings(callTimeout, TeamCopier.DEFAULT_PAGE_SIZE, 20, 100, DEFAULT_MAX_WRITE_PAUSE,
                    Duration.ofSeconds(1), clock);
        }

        /** These settings with another page size. */
        public Settings withPageSize(int pages) {
            return new Settings(callTimeout, pages, maxRounds, smallDelta, maxWritePause, progressInterval, clock);
        }

        /** These settings with another write-pause budget. */
        public Settings withMaxWritePause(Duration budget) {
            return new Settings(callTimeout, pageSize, maxRounds, smallDelta, budget, progressInterval, clock);
        }
    }

    private enum State { LATENT, STARTED, CLOSED }

    /** What a move needs of the coordinator. */
    record Parts(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions, Settings settings,
                 PhaseHook hook, String coordinatorId, Map<String, Move> running) {
    }

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final ShardNodes nodes;
    private final Decisions decisions;
    private final Leadership leadership;
    private final Settings settings;
    private final PhaseHook hook;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private final Map<String, Move> running = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final List<Consumer<MoveHandle>> moveListeners = new CopyOnWriteArrayList<>();
    private volatile Parts parts;
    private volatile ExecutorService executor;
    private volatile ScheduledExecutorService ticker;
    private volatile CompletableFuture<Void> awaitedLeadership;

    public Mover(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions,
                 Leadership leadership, Settings settings, PhaseHook hook) {
        this.store = Objects.requireNonNull(store, "store == null");
        this.cache = Objects.requireNonNull(cache, "cache == null");
        this.nodes = Objects.requireNonNull(nodes, "nodes == null");
        this.decisions = Objects.requireNonNull(decisions, "decisions == null");
        this.leadership = Objects.requireNonNull(leadership, "leadership == null");
        this.settings = Objects.requireNonNull(settings, "settings == null");
        this.hook = Objects.requireNonNull(hook, "hook == null");
    }

    /**
     * Starts taking moves; {@code coordinatorId} goes into their records. Whenever this coordinator
     * becomes leader, it resumes the moves a previous leader left in ZooKeeper.
     */
    public void start(String coordinatorId) {
        Objects.requireNonNull(coordinatorId, "coordinatorId == null");
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("mover already started or closed");
        }
        parts = new Parts(store, cache, nodes, decisions, settings, hook, coordinatorId, running);
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "thoonk-move-" + coordinatorId + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thoonk-move-progress-" + coordinatorId);
            t.setDaemon(true);
            return t;
        });
        long interval = settings.progressInterval().toMillis();
        ticker.scheduleWithFixedDelay(() -> running.values().forEach(Move::report), interval, interval,
                TimeUnit.MILLISECONDS);
        awaitLeadershipThenResume();
    }

    private void awaitLeadershipThenResume() {
        CompletableFuture<Void> leading = leadership.leading();
        if (awaitedLeadership == leading || state.get() != State.STARTED) {
            return;
        }
        awaitedLeadership = leading;
        leading.thenRun(() -> {
            submit(this::resumeAll);
            // when this term ends, a fresh future is handed out: wait for the next term then
            ticker.schedule(this::watchTerm, 250, TimeUnit.MILLISECONDS);
        });
    }

    private void watchTerm() {
        if (state.get() != State.STARTED) {
            return;
        }
        if (leadership.leading() != awaitedLeadership) {
            awaitLeadershipThenResume();
        } else {
            ticker.schedule(this::watchTerm, 250, TimeUnit.MILLISECONDS);
        }
    }

    /** Finishes or rolls back every move in ZooKeeper that no move of this coordinator runs. */
    private void resumeAll() {
        if (!leadership.isLeader()) {
            return;
        }
        try {
            for (DirectoryStore.Versioned<MoveProgress> intent : store.moves()) {
                String team = intent.value().getTeam();
                if (running.containsKey(team)) {
                    continue;
                }
                Move move = Move.resumed(parts, intent.value(), intent.version());
                if (running.putIfAbsent(team, move) == null) {
                    move.resume();
                    started(move);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("resuming the moves a previous leader left failed (tried again at the next leadership): {}",
                    e.toString());
        }
    }

    /**
     * Starts moving {@code team} to shard {@code targetShardId}; returns once the move is recorded
     * in ZooKeeper (PREPARING), the copy running on a thread of its own. Call it on the leader.
     *
     * @throws CoordinatorException NOT_FOUND for an unplaced team or an unknown shard;
     *                              FAILED_PRECONDITION when the team already lives on that shard or is
     *                              being moved, the target is draining or failed (or takes no teams:
     *                              not a primary), the source is failed, or either shard has a failover
     *                              in progress; UNAVAILABLE when this coordinator does not run moves
     */
    public MoveHandle move(String team, String targetShardId) throws Exception {
        Objects.requireNonNull(team, "team == null");
        Objects.requireNonNull(targetShardId, "targetShardId == null");
        Parts p = runningParts();
        Move move = decisions.run("moving team '" + team + "' to shard '" + targetShardId + "'", () -> {
            DirectoryView view = cache.view();
            TeamPlacement placement = view.team(team).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "team '" + team + "' is not placed; only a placed team "
                    + "can be moved (PlaceTeam places it where you want it)"));
            Shard target = view.shard(targetShardId).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "no shard '" + targetShardId + "'; see ListShards"));
            Shard source = view.shard(placement.getShardId()).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + team + "' is placed on shard '"
                    + placement.getShardId() + "', which is not registered"));
            if (source.getId().equals(target.getId())) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + team
                        + "' already lives on shard '" + targetShardId + "'");
            }
            Move already = running.get(team);
            if (already != null || store.readMove(team).isPresent()) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + team
                        + "' is being moved already" + (already == null ? "" : " (move " + already.moveId() + " to shard '"
                        + already.targetId() + "', phase " + already.progress().getPhase() + ")")
                        + "; CancelMove stops it");
            }
            if (ShardStates.draining(target) || target.getState() == ShardState.SHARD_FAILED) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '"
                        + targetShardId + "' is " + stateName(target) + " and takes no teams"
                        + (target.getStateReason().isEmpty() ? "" : " (" + target.getStateReason() + ")"));
            }
            if (source.getState() == ShardState.SHARD_FAILED) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '"
                        + source.getId() + "', where team '" + team + "' lives, is failed (" + source.getStateReason()
                        + "): its data cannot be read");
            }
            for (Shard s : List.of(source, target)) {
                if (store.readIntent(s.getId()).isPresent()) {
                    throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '"
                            + s.getId() + "' has a change of primary in progress; retry when it is done");
                }
            }
            nodes.checkShard(target.getPrimary(), List.of());
            long now = settings.clock().millis();
            MoveProgress intent = MoveProgress.newBuilder().setMoveId(now + "-" + UUID.randomUUID().toString()
                            .substring(0, 8)).setTeam(team).setSourceShardId(source.getId())
                    .setTargetShardId(target.getId()).setPhase(MovePhase.MOVE_PREPARING)
                    .setEpoch(placement.getEpoch() + 1).setStartedAtMillis(now).setEtaMillis(-1).build();
            int version = store.createMove(intent);
            Move m = new Move(p, intent, version, placement, source, target);
            running.put(team, m);
            return m;
        });
        log.info("moving team '{}' from shard '{}' to shard '{}' (move {}) [decision=move-started team={} shard={} "
                + "epoch={}]", team, move.sourceId(), move.targetId(), move.moveId(), team, move.sourceId(),
                move.progress().getEpoch() - 1);
        try {
            submit(move::run);
        } catch (RuntimeException e) {
            move.abandonUnstarted(e);
            throw e;
        }
        started(move);
        return move;
    }

    /**
     * Calls {@code started} with every move this coordinator starts or resumes from now on (for
     * metrics: it may add a listener to it), on the thread that started it; it must return quickly.
     */
    public void onMove(Consumer<MoveHandle> started) {
        moveListeners.add(Objects.requireNonNull(started, "started == null"));
    }

    private void started(MoveHandle move) {
        for (Consumer<MoveHandle> l : moveListeners) {
            try {
                l.accept(move);
            } catch (RuntimeException e) {
                log.warn("a move listener failed on the move of team '{}': {}", move.team(), e.toString(), e);
            }
        }
    }

    private static String stateName(Shard s) {
        if (ShardStates.draining(s)) {
            return "draining";
        }
        return s.getState() == ShardState.SHARD_FAILED ? "failed" : s.getState().name();
    }

    /**
     * Cancels the move of {@code team} if it has not switched yet: the team is writable on its
     * source again as soon as the move's thread sees the request (between two steps), the target's
     * copy deleted. Waits for the rollback to finish (at most the call timeout, twice) and returns
     * the move as it ended; a move past its switch is not stopped and is returned as it is.
     *
     * @throws CoordinatorException NOT_FOUND when this leader runs no move of the team
     */
    public MoveProgress cancel(String team) throws Exception {
        runningParts();
        Move move = running.get(team);
        if (move == null) {
            throw new CoordinatorException(CoordinatorException.Reason.NOT_FOUND, "team '" + team
                    + "' is not being moved (ListMoves shows the moves in progress and the last ones)");
        }
        if (!move.cancel()) {
            return move.progress();
        }
        long waitMillis = settings.callTimeout().toMillis() * 2;
        try {
            return move.completion().get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED, "the move of team '" + team
                    + "' is cancelled but its rollback did not finish within " + waitMillis
                    + " ms; ListMoves shows when it does");
        }
    }

    /** The move of {@code team} this coordinator runs, if any. */
    public Optional<MoveHandle> find(String team) {
        return Optional.ofNullable(running.get(team));
    }

    /** The moves this coordinator runs, as they are now. */
    public List<MoveProgress> active() {
        return running.values().stream().map(Move::progress).toList();
    }

    /** The finished moves, newest first (read from ZooKeeper). */
    public List<MoveProgress> history() throws Exception {
        return store.moveHistory();
    }

    private Parts runningParts() {
        Parts p = parts;
        if (p == null || state.get() != State.STARTED) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is not running moves (starting or shutting down); retry");
        }
        return p;
    }

    private void submit(Runnable task) {
        ExecutorService e = executor;
        if (e == null || state.get() != State.STARTED) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is shutting down; use another one");
        }
        try {
            e.execute(task);
        } catch (RejectedExecutionException closing) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is shutting down; use another one");
        }
    }

    /**
     * Stops the moves this coordinator runs where they are (their threads interrupted), leaving
     * their intents for the next leader, which finishes or rolls them back; idempotent.
     */
    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        running.values().forEach(Move::stopping);
        for (ExecutorService e : new ExecutorService[] {ticker, executor}) {
            if (e == null) {
                continue;
            }
            e.shutdownNow();
            try {
                if (!e.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("a move still runs {} s after the mover closed", STOP_TIMEOUT.toSeconds());
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        running.clear();
    }
}
