package io.thoonk.coordinator.migration;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.coordinator.placement.Decisions;
import io.thoonk.coordinator.placement.LeastLoaded;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.PlannedMove;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardLoad;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drains shards and rebalances teams, on the leader, as batches of {@link Mover#move moves} (at most
 * {@value #MAX_CONCURRENT_MOVES} at a time).
 *
 * <p><b>Draining</b> marks the shard draining ({@code draining}, shown as {@code SHARD_DRAINING}
 * while its nodes are well; failovers keep the mark) (the placer then puts no new team there,
 * and no move or rebalance targets it), then moves every team on it, pinned ones included (a drain
 * is for decommissioning; they stay pinned where they land), each to the shard that takes teams
 * (active or degraded, weight above 0) with the fewest teams per unit of weight, counting the moves
 * in progress. The shard stays draining afterwards: {@code RemoveShard} removes it; {@link #undrain}
 * lets it take teams again.
 *
 * <p><b>Rebalancing</b> measures the load ({@link LoadMeter}) of every shard that takes teams and
 * plans the fewest single-team moves that even it out relative to weights ({@link Balancer}); pinned
 * teams, teams being moved, and shards that take no teams (weight 0, draining, failed) are left
 * alone. The plan is returned first; running it moves the teams in the plan's order.
 *
 * <p>Both run on threads of their own and are observed through a {@link BatchHandle}; a caller that
 * goes away leaves them running. One drain per shard and one rebalance at a time: asking again
 * for a drain that runs returns the running one. Neither is recorded in ZooKeeper: a new leader
 * finishes or rolls back the moves in progress, and the operator runs the drain or rebalance again
 * (the draining mark is in the directory, so a drain run again picks up where it was).
 */
public final class Rebalancer implements AutoCloseable {

    /** The most moves a drain or rebalance runs at once. */
    public static final int MAX_CONCURRENT_MOVES = 16;

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration OPERATIONS_WINDOW = Duration.ofSeconds(1);
    /** Memory and rate plans stop once shards are within this share of the mean load of each other. */
    private static final double MEASURED_TOLERANCE = 0.02;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final DirectoryStore store;
    private final DirectoryCache cache;
    private final Decisions decisions;
    private final Mover mover;
    private final Leadership leadership;
    private final LoadMeter meter;
    private final Duration callTimeout;
    private final Duration progressInterval;
    private final Clock clock;
    private final Map<String, MoveBatch<DrainProgress>> drains = new ConcurrentHashMap<>();
    private final AtomicReference<MoveBatch<RebalanceProgress>> rebalance = new AtomicReference<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor;
    private volatile boolean closed;

    /**
     * @param callTimeout      of each Redis call and of waiting for the directory cache
     * @param progressInterval how often listeners hear of a batch when nothing starts or ends
     */
    public Rebalancer(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, Decisions decisions, Mover mover,
                      Leadership leadership, Duration callTimeout, Duration progressInterval, Clock clock) {
        this.store = Objects.requireNonNull(store, "store == null");
        this.cache = Objects.requireNonNull(cache, "cache == null");
        this.decisions = Objects.requireNonNull(decisions, "decisions == null");
        this.mover = Objects.requireNonNull(mover, "mover == null");
        this.leadership = Objects.requireNonNull(leadership, "leadership == null");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout == null");
        this.progressInterval = Objects.requireNonNull(progressInterval, "progressInterval == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.meter = new LoadMeter(Objects.requireNonNull(nodes, "nodes == null"), callTimeout, OPERATIONS_WINDOW);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "thoonk-rebalance-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * {@code 0} means 1; 1 to {@value #MAX_CONCURRENT_MOVES} as they are.
     *
     * @throws CoordinatorException INVALID_ARGUMENT for anything else
     */
    public static int concurrency(int maxConcurrentMoves) {
        if (maxConcurrentMoves < 0 || maxConcurrentMoves > MAX_CONCURRENT_MOVES) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "max_concurrent_moves must be "
                    + "0 to " + MAX_CONCURRENT_MOVES + " (0: one move at a time), was " + maxConcurrentMoves);
        }
        return Math.max(1, maxConcurrentMoves);
    }

    // ---- draining ----

    /**
     * Marks {@code shardId} draining and starts moving every team away from it; returns once it is
     * marked, with the drain running. A drain of that shard already running here is returned as it
     * is. Call it on the leader.
     *
     * @throws CoordinatorException INVALID_ARGUMENT for a concurrency out of range; NOT_FOUND for an
     *                              unknown shard; FAILED_PRECONDITION when the shard is failed (its data
     *                              cannot be read) or no other shard takes teams
     */
    public BatchHandle<DrainProgress> drain(String shardId, int maxConcurrentMoves) throws Exception {
        Objects.requireNonNull(shardId, "shardId == null");
        int concurrent = concurrency(maxConcurrentMoves);
        MoveBatch<DrainProgress> running = drains.get(shardId);
        if (running != null && !running.completion().isDone()) {
            return running;
        }
        decisions.run("marking shard '" + shardId + "' draining", () -> {
            cache.awaitRevision(store.readRevision(), callTimeout);
            DirectoryView view = cache.view();
            Shard shard = view.shard(shardId).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'; see ListShards"));
            if (shard.getState() == ShardState.SHARD_FAILED) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                        + "' is failed (" + shard.getStateReason() + "): its teams cannot be read, so they cannot be "
                        + "moved; bring its primary back first");
            }
            if (targetFor(view, shardId).isEmpty()) {
                throw noTarget(view, shardId);
            }
            if (!shard.getDraining()) {
                String reason = "draining since " + TIME.format(Instant.ofEpochMilli(clock.millis())) + " (DrainShard)";
                long revision = store.updateShard(shardId, shard.getEpoch(), s -> ShardStates.drain(s, reason), null)
                        .revision();
                cache.awaitRevision(revision, callTimeout);
                log.info("shard '{}' is draining: it takes no new teams", shardId);
            }
            return null;
        });
        AtomicLong total = new AtomicLong(cache.view().teamCount(shardId));
        MoveBatch<DrainProgress> batch = new MoveBatch<>("the drain of shard '" + shardId + "'", mover, leadership,
                concurrent, progressInterval, new DrainSteps(shardId),
                state -> drainProgress(shardId, total, state));
        synchronized (drains) {
            running = drains.get(shardId);
            if (running != null && !running.completion().isDone()) {
                return running;
            }
            drains.put(shardId, batch);
        }
        batch.completion().whenComplete((last, error) -> drains.remove(shardId, batch));
        log.info("draining shard '{}': {} team(s), up to {} move(s) at a time", shardId, total.get(), concurrent);
        submit(batch);
        return batch;
    }

    /**
     * The teams of a draining shard, one at a time, in team id order: from the list the shard had when
     * the drain started (each checked against the current view), then from a fresh walk of the
     * directory for any that arrived since, so a drain walks every team twice, not once per move.
     */
    private final class DrainSteps implements MoveBatch.Steps {
        private final String shardId;
        private Iterator<TeamPlacement> teams;
        private boolean walkedAgain;

        DrainSteps(String shardId) {
            this.shardId = shardId;
            this.teams = teamsOn(cache.view(), shardId).iterator();
        }

        @Override
        public Optional<MoveBatch.Step> next(Set<String> tried) {
            DirectoryView view = cache.view();
            Shard shard = view.shard(shardId).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "shard '" + shardId + "' was removed"));
            if (!ShardStates.draining(shard)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                        + "' is no longer draining (now " + shard.getState() + ")");
            }
            while (true) {
                while (teams.hasNext()) {
                    String team = teams.next().getTeam();
                    boolean stillHere = view.team(team).map(t -> t.getShardId().equals(shardId)).orElse(false);
                    if (stillHere && !tried.contains(team)) {
                        Shard target = targetFor(view, shardId).orElseThrow(() -> noTarget(view, shardId));
                        return Optional.of(new MoveBatch.Step(team, target.getId()));
                    }
                }
                if (walkedAgain) {
                    return Optional.empty();
                }
                walkedAgain = true;
                teams = teamsOn(view, shardId).iterator();
            }
        }
    }

    private static List<TeamPlacement> teamsOn(DirectoryView view, String shardId) {
        return view.teamsByShard().getOrDefault(shardId, List.of());
    }

    /** The shard other than {@code from} that takes teams with the fewest per weight, counting moves under way. */
    private Optional<Shard> targetFor(DirectoryView view, String from) {
        Map<String, Long> incoming = new HashMap<>();
        for (MoveProgress m : mover.active()) {
            if (m.getPhase().getNumber() < MovePhase.MOVE_CLEANING_UP.getNumber()) {
                incoming.merge(m.getTargetShardId(), 1L, Long::sum);
            }
        }
        List<Shard> others = view.shards().stream().filter(s -> !s.getId().equals(from)).toList();
        return LeastLoaded.among(others, id -> view.teamCount(id) + incoming.getOrDefault(id, 0L));
    }

    private static CoordinatorException noTarget(DirectoryView view, String from) {
        List<String> others = view.shards().stream().filter(s -> !s.getId().equals(from))
                .map(s -> s.getId() + " (" + ShardStates.describe(s) + ", weight " + s.getWeight() + ")").toList();
        return new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "no shard other than '" + from
                + "' takes teams (active with a weight above 0)" + (others.isEmpty() ? ": it is the only shard"
                : ": " + String.join(", ", others)) + "; register one (AddShard) before draining '" + from + "'");
    }

    private DrainProgress drainProgress(String shardId, AtomicLong total, MoveBatch.State state) {
        long remaining = cache.view().teamCount(shardId);
        long teamsTotal = total.accumulateAndGet(state.moved() + remaining, Math::max);
        DrainProgress.Builder b = DrainProgress.newBuilder().setShardId(shardId).setTeamsTotal(teamsTotal)
                .setTeamsMoved(state.moved()).addAllMoves(state.running()).setDone(state.done());
        if (state.done()) {
            if (remaining == 0 && state.stopped() == null && state.failures().isEmpty()) {
                b.setOutcome("drained: " + state.moved() + " team(s) moved; shard '" + shardId + "' owns no team and "
                        + "stays draining: RemoveShard removes it");
            } else {
                b.setOutcome("not drained: " + remaining + " team(s) left on shard '" + shardId + "' after "
                        + state.moved() + " moved" + ending(state) + "; the shard stays draining: DrainShard again "
                        + "goes on");
            }
        }
        return b.build();
    }

    private static String ending(MoveBatch.State state) {
        return (state.stopped() == null ? "" : "; stopped: " + state.stopped())
                + (state.failures().isEmpty() ? "" : "; not moved: " + String.join("; ", state.failures()));
    }

    /**
     * Lets a draining shard take teams again (the mark cleared: {@code SHARD_DRAINING} becomes
     * {@code SHARD_ACTIVE}, a degraded or failed shard stays so). Stop its drain first (CancelMove of
     * its moves).
     *
     * @throws CoordinatorException NOT_FOUND for an unknown shard; FAILED_PRECONDITION when it is not
     *                              draining, or a drain of it still runs here
     */
    public Shard undrain(String shardId) throws Exception {
        MoveBatch<DrainProgress> running = drains.get(shardId);
        if (running != null && !running.completion().isDone()) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                    + "' is being drained; stop the drain first (CancelMove of one of its moves)");
        }
        return decisions.run("ending the drain of shard '" + shardId + "'", () -> {
            cache.awaitRevision(store.readRevision(), callTimeout);
            Shard shard = cache.view().shard(shardId).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'; see ListShards"));
            if (!ShardStates.draining(shard)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                        + "' is not draining (" + shard.getState() + ")");
            }
            DirectoryStore.Committed<Shard> committed = store.updateShard(shardId, shard.getEpoch(),
                    ShardStates::undrain, null);
            cache.awaitRevision(committed.revision(), callTimeout);
            log.info("shard '{}' is no longer draining: it takes teams again", shardId);
            return committed.value();
        });
    }

    // ---- rebalancing ----

    /**
     * Measures the shards and plans the moves that even out {@code strategy}'s load (UNSPECIFIED:
     * team count). Changes nothing.
     *
     * @throws CoordinatorException INVALID_ARGUMENT for an unknown strategy; UNAVAILABLE when a shard
     *                              that takes part cannot be measured (memory and operations)
     */
    public RebalancePlan plan(RebalanceStrategy strategy) throws Exception {
        RebalanceStrategy s = strategy(strategy);
        DirectoryView view = cache.view();
        Map<String, List<TeamPlacement>> byShard = view.teamsByShard();
        Map<Shard, List<String>> taking = new LinkedHashMap<>();
        Map<Shard, List<String>> others = new LinkedHashMap<>();
        for (Shard shard : view.shards()) {
            List<String> teams = byShard.getOrDefault(shard.getId(), List.of()).stream().map(TeamPlacement::getTeam)
                    .toList();
            (LeastLoaded.takesNewTeams(shard) ? taking : others).put(shard, teams);
        }
        Map<String, LoadMeter.Measure> measured = new HashMap<>(meter.measure(taking, s));
        measured.putAll(meter.measure(others, RebalanceStrategy.REBALANCE_TEAM_COUNT));
        List<Balancer.Bin> bins = new ArrayList<>();
        for (Shard shard : taking.keySet()) {
            LoadMeter.Measure m = measured.get(shard.getId());
            List<Balancer.Candidate> movable = new ArrayList<>();
            for (TeamPlacement t : byShard.getOrDefault(shard.getId(), List.of())) {
                if (!t.getPinned() && mover.find(t.getTeam()).isEmpty()) {
                    movable.add(new Balancer.Candidate(t.getTeam(), m.teams().getOrDefault(t.getTeam(), 0.0)));
                }
            }
            double load = switch (s) {
                case REBALANCE_MEMORY -> m.memoryBytes();
                case REBALANCE_OPERATIONS -> m.operationsPerSecond();
                default -> view.teamCount(shard.getId());
            };
            bins.add(new Balancer.Bin(shard.getId(), shard.getWeight(), load, movable));
        }
        double totalLoad = bins.stream().mapToDouble(Balancer.Bin::load).sum();
        double totalWeight = bins.stream().mapToDouble(Balancer.Bin::weight).sum();
        double tolerance = s == RebalanceStrategy.REBALANCE_TEAM_COUNT || totalWeight == 0 ? 0
                : MEASURED_TOLERANCE * totalLoad / totalWeight;
        List<Balancer.Planned> planned = Balancer.plan(bins, tolerance);
        List<PlannedMove> moves = planned.stream().map(p -> PlannedMove.newBuilder().setTeam(p.team())
                .setSourceShardId(p.sourceShardId()).setTargetShardId(p.targetShardId())
                .setLoad(Math.round(p.load())).build()).toList();
        List<ShardLoad> before = new ArrayList<>();
        List<ShardLoad> after = new ArrayList<>();
        for (Shard shard : view.shards()) {
            LoadMeter.Measure m = measured.get(shard.getId());
            ShardLoad load = ShardLoad.newBuilder().setShardId(shard.getId()).setTeams(view.teamCount(shard.getId()))
                    .setMemoryBytes(m == null ? 0 : m.memoryBytes())
                    .setOperationsPerSecond(m == null ? 0 : m.operationsPerSecond()).setWeight(shard.getWeight()).build();
            before.add(load);
            after.add(planned(load, planned, s));
        }
        log.info("rebalance plan ({}): {} move(s)", s, moves.size());
        return new RebalancePlan(s, moves, before, after);
    }

    private static RebalanceStrategy strategy(RebalanceStrategy strategy) {
        Objects.requireNonNull(strategy, "strategy == null");
        return switch (strategy) {
            case REBALANCE_STRATEGY_UNSPECIFIED, REBALANCE_TEAM_COUNT -> RebalanceStrategy.REBALANCE_TEAM_COUNT;
            case REBALANCE_MEMORY, REBALANCE_OPERATIONS -> strategy;
            default -> throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "unknown rebalance "
                    + "strategy " + strategy + "; use REBALANCE_TEAM_COUNT, REBALANCE_MEMORY or REBALANCE_OPERATIONS");
        };
    }

    /** {@code load} once {@code moves} are done. */
    private static ShardLoad planned(ShardLoad load, List<Balancer.Planned> moves, RebalanceStrategy strategy) {
        long teams = load.getTeams();
        double amount = 0;
        for (Balancer.Planned p : moves) {
            int sign = p.targetShardId().equals(load.getShardId()) ? 1
                    : p.sourceShardId().equals(load.getShardId()) ? -1 : 0;
            teams += sign;
            amount += sign * p.load();
        }
        ShardLoad.Builder b = load.toBuilder().setTeams(teams);
        if (strategy == RebalanceStrategy.REBALANCE_MEMORY) {
            b.setMemoryBytes(Math.max(0, load.getMemoryBytes() + Math.round(amount)));
        } else if (strategy == RebalanceStrategy.REBALANCE_OPERATIONS) {
            b.setOperationsPerSecond(Math.max(0, load.getOperationsPerSecond() + amount));
        }
        return b.build();
    }

    /**
     * Runs {@code plan}'s moves, at most {@code maxConcurrentMoves} at a time, in its order. A team
     * no longer on its planned source, or pinned meanwhile, is skipped (counted as not moved).
     *
     * @throws CoordinatorException INVALID_ARGUMENT for a concurrency out of range; FAILED_PRECONDITION
     *                              when a rebalance runs already
     */
    public BatchHandle<RebalanceProgress> rebalance(RebalancePlan plan, int maxConcurrentMoves) {
        Objects.requireNonNull(plan, "plan == null");
        int concurrent = concurrency(maxConcurrentMoves);
        Iterator<PlannedMove> moves = plan.moves().iterator();
        MoveBatch<RebalanceProgress> batch = new MoveBatch<>("a rebalance (" + plan.strategy() + ")", mover,
                leadership, concurrent, progressInterval, tried -> nextPlannedStep(moves, tried),
                state -> rebalanceProgress(plan.moves().size(), state));
        MoveBatch<RebalanceProgress> previous = rebalance.get();
        if ((previous != null && !previous.completion().isDone()) || !rebalance.compareAndSet(previous, batch)) {
            RebalanceProgress p = rebalance.get().progress();
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "a rebalance runs already ("
                    + p.getMovesDone() + " of " + p.getMovesTotal() + " moves done); wait for it to end, or stop it "
                    + "with CancelMove of one of its moves (ListMoves shows them)");
        }
        log.info("rebalancing ({}): {} move(s), up to {} at a time", plan.strategy(), plan.moves().size(), concurrent);
        submit(batch);
        return batch;
    }

    private Optional<MoveBatch.Step> nextPlannedStep(Iterator<PlannedMove> moves, Set<String> tried) {
        while (moves.hasNext()) {
            PlannedMove m = moves.next();
            if (tried.contains(m.getTeam())) {
                continue;
            }
            return Optional.of(new MoveBatch.Step(m.getTeam(), m.getTargetShardId(), refusal(m)));
        }
        return Optional.empty();
    }

    /** Why a planned move no longer holds, or null. */
    private String refusal(PlannedMove m) {
        Optional<TeamPlacement> now = cache.view().team(m.getTeam());
        if (now.isEmpty() || !now.get().getShardId().equals(m.getSourceShardId())) {
            return "no longer on shard '" + m.getSourceShardId() + "' (now "
                    + now.map(t -> "on '" + t.getShardId() + "'").orElse("unplaced") + "); not moved";
        }
        if (now.get().getPinned()) {
            return "pinned since the plan was made; not moved";
        }
        return null;
    }

    private static RebalanceProgress rebalanceProgress(int total, MoveBatch.State state) {
        RebalanceProgress.Builder b = RebalanceProgress.newBuilder().setMovesTotal(total).setMovesDone(state.moved())
                .addAllMoves(state.running()).setDone(state.done());
        if (state.done()) {
            b.setOutcome((state.moved() == total && state.stopped() == null ? "rebalanced: " : "not all moved: ")
                    + state.moved() + " of " + total + " move(s) done" + ending(state));
        }
        return b.build();
    }

    private void submit(MoveBatch<?> batch) {
        if (closed) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is shutting down; use another one");
        }
        try {
            executor.execute(batch::run);
        } catch (RejectedExecutionException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is shutting down; use another one");
        }
    }

    /**
     * Stops the drains and rebalances running here (their threads interrupted; the moves in progress
     * are the mover's: it leaves them to the next leader); idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("a drain or rebalance still runs {} s after closing", STOP_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
