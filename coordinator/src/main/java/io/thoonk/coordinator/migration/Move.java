package io.thoonk.coordinator.migration;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.contract.TeamCopier;
import io.thoonk.contract.TeamCopyException;
import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One team move on the leader: the phases of {@link Mover}, the rollback, and the resumption of a
 * move a previous leader left ({@link #resume}). Runs on one thread; progress is read from others.
 */
final class Move implements MoveHandle {

    private static final Logger log = LoggerFactory.getLogger(Move.class);
    /** How long a rollback keeps trying to make the source writable again (its primary may be failing over). */
    private static final Duration UNFREEZE_DEADLINE = Duration.ofSeconds(30);
    static final String CLIENT_NAME = "thoonk-coordinator-mover";

    /** The move was cancelled by an operator. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled by an operator", null, false, false);
        }
    }

    private final Mover.Parts p;
    private final String team;
    private final String moveId;
    private final String sourceId;
    private final String targetId;
    /** The team epoch the move produces; the source's is one less. */
    private final long epoch;
    private final long sourceShardEpoch;
    private final long targetShardEpoch;
    private final long startedAt;
    private final long startedNanos = System.nanoTime();
    private final CompletableFuture<MoveProgress> done = new CompletableFuture<>();
    private final List<Consumer<MoveProgress>> listeners = new CopyOnWriteArrayList<>();
    private volatile MovePhase phase;
    private volatile String outcome = "";
    private volatile TeamCopier copier;
    private volatile boolean cancelRequested;
    private volatile boolean stopping;
    private volatile long frozenAtNanos;
    private volatile long writePauseMillis;
    private volatile long objectsTotal;
    /** The primaries the move talks to (for the words of a failure); "" until known. */
    private volatile String sourcePrimary = "";
    private volatile String targetPrimary = "";
    private int intentVersion;
    private boolean switched;

    Move(Mover.Parts p, MoveProgress intent, int intentVersion, TeamPlacement placement, Shard source, Shard target) {
        this.p = p;
        this.team = intent.getTeam();
        this.moveId = intent.getMoveId();
        this.sourceId = intent.getSourceShardId();
        this.targetId = intent.getTargetShardId();
        this.epoch = intent.getEpoch();
        this.startedAt = intent.getStartedAtMillis();
        this.phase = intent.getPhase();
        this.intentVersion = intentVersion;
        this.sourceShardEpoch = source == null ? -1 : source.getEpoch();
        this.targetShardEpoch = target == null ? -1 : target.getEpoch();
    }

    /** A move a previous leader left in ZooKeeper, to be finished or rolled back by {@link #resume}. */
    static Move resumed(Mover.Parts p, MoveProgress intent, int version) {
        return new Move(p, intent, version, null, null, null);
    }

    @Override
    public String moveId() {
        return moveId;
    }

    @Override
    public String team() {
        return team;
    }

    String sourceId() {
        return sourceId;
    }

    String targetId() {
        return targetId;
    }

    @Override
    public MoveProgress progress() {
        if (done.isDone() && !done.isCompletedExceptionally()) {
            return done.join();
        }
        return snapshot(phase, outcome);
    }

    private MoveProgress snapshot(MovePhase at, String why) {
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        MoveProgress.Builder b = MoveProgress.newBuilder().setMoveId(moveId).setTeam(team).setSourceShardId(sourceId)
                .setTargetShardId(targetId).setPhase(at).setElapsedMillis(elapsed).setEpoch(epoch)
                .setStartedAtMillis(startedAt).setOutcome(why).setWritePauseMillis(writePauseMillis).setEtaMillis(-1);
        TeamCopier c = copier;
        if (c != null) {
            TeamCopier.Progress cp = c.progress();
            objectsTotal = cp.objectsTotal();
            b.setObjectsTotal(cp.objectsTotal()).setObjectsCopied(cp.objectsCopied()).setBytesCopied(cp.bytesCopied());
            if (at == MovePhase.MOVE_COPYING && cp.objectsCopied() > 0 && cp.objectsTotal() > 0) {
                long copying = elapsed;
                b.setEtaMillis(copying * (cp.objectsTotal() - cp.objectsCopied()) / cp.objectsCopied());
            }
        }
        return b.build();
    }

    @Override
    public void addListener(Consumer<MoveProgress> listener) {
        synchronized (listeners) {
            if (done.isDone() && !done.isCompletedExceptionally()) {
                deliver(listener, done.join());
                return;
            }
            listeners.add(listener);
            deliver(listener, progress());
        }
    }

    @Override
    public void removeListener(Consumer<MoveProgress> listener) {
        listeners.remove(listener);
    }

    @Override
    public CompletableFuture<MoveProgress> completion() {
        return done;
    }

    /** Tells every listener where the move is (the progress ticker, and each phase change). */
    void report() {
        publish(progress());
    }

    private void publish(MoveProgress progress) {
        synchronized (listeners) {
            for (Consumer<MoveProgress> l : listeners) {
                deliver(l, progress);
            }
        }
    }

    private void deliver(Consumer<MoveProgress> listener, MoveProgress progress) {
        try {
            listener.accept(progress);
        } catch (RuntimeException e) {
            listeners.remove(listener);
            log.info("a listener of the move of team '{}' failed and was removed: {}", team, e.toString());
        }
    }

    /** Asks the move to stop and roll back; false when it is past its switch (it then finishes). */
    boolean cancel() {
        if (switched || done.isDone()) {
            return false;
        }
        cancelRequested = true;
        outcome = "cancel requested: rolling back";
        publish(progress());
        return true;
    }

    /** The coordinator closes: the move stops where it is and its intent stays for the next leader. */
    void stopping() {
        stopping = true;
    }

    /** The move could not be started at all (no thread): its intent is deleted, nothing was done. */
    void abandonUnstarted(Exception why) {
        finish(MovePhase.MOVE_ROLLED_BACK, "not started: " + why.getMessage());
    }

    // ---- the phases ----

    void run() {
        StatefulRedisConnection<byte[], byte[]> source = null;
        StatefulRedisConnection<byte[], byte[]> target = null;
        try {
            sourcePrimary = shard(sourceId).getPrimary();
            targetPrimary = shard(targetId).getPrimary();
            source = p.nodes().openBinary(sourcePrimary, CLIENT_NAME);
            target = p.nodes().openBinary(targetPrimary, CLIENT_NAME);
            // nobody may write the team on the target before the switch; leftovers of an earlier move go
            fence(targetId, targetPrimary, new TeamFence(team, TeamFence.State.FROZEN, epoch - 1));
            StatefulRedisConnection<byte[], byte[]> t = target;
            onShard(targetId, targetPrimary, "deleting what an earlier move left there",
                    () -> TeamCopier.deleteTeam(t, team, p.settings().pageSize()));

            enter(MovePhase.MOVE_COPYING);
            TeamCopier c = new TeamCopier(team, source, target, p.settings().pageSize(), this::checkpoint);
            copier = c;
            reached(MovePhase.MOVE_COPYING);
            TeamCopier.Round round = c.copyRound(false);
            for (int rounds = 1; rounds < p.settings().maxRounds() && !small(round); rounds++) {
                round = c.copyRound(false);
            }
            check();

            enter(MovePhase.MOVE_CATCHING_UP);
            // Watch tells clients of the freeze (written before it: no ZooKeeper write in the pause)
            p.store().setTeamState(team, sourceId, epoch - 1, TeamState.TEAM_FROZEN);
            frozenAtNanos = System.nanoTime();
            fence(sourceId, sourcePrimary, new TeamFence(team, TeamFence.State.FROZEN, epoch - 1));
            reached(MovePhase.MOVE_CATCHING_UP);
            checkpoint("");
            for (int i = 0; i < 3 && !c.copyRound(true).idle(); i++) {
                checkpoint("");
            }

            enter(MovePhase.MOVE_VERIFYING);
            List<String> differences = c.verify();
            if (!differences.isEmpty()) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                        "verification found differences: " + String.join("; ", differences));
            }
            int replicas = shard(targetId).getReplicasCount();
            if (replicas > 0) {
                long waitMillis = p.settings().callTimeout().toMillis() / 5;
                long acknowledged = onShard(targetId, targetPrimary, "waiting for its replica to acknowledge the copy",
                        () -> t.sync().waitForReplication(1, waitMillis));
                if (acknowledged < 1) {
                    throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "no replica of shard '"
                            + targetId + "' acknowledged the copy within " + waitMillis + " ms");
                }
            }
            check();

            enter(MovePhase.MOVE_SWITCHING);
            reached(MovePhase.MOVE_SWITCHING);
            check();
            p.decisions().run("switching team '" + team + "' to shard '" + targetId + "'", () -> {
                check();
                fence(targetId, targetPrimary, TeamFence.active(team, epoch));
                TeamPlacement next = TeamPlacement.newBuilder(p.cache().view().team(team).orElseThrow())
                        .setShardId(targetId).setEpoch(epoch).setState(TeamState.TEAM_ACTIVE).build();
                long pause = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAtNanos);
                MoveProgress intent = snapshot(MovePhase.MOVE_CLEANING_UP, "").toBuilder()
                        .setWritePauseMillis(pause).build();
                DirectoryStore.Committed<Integer> committed = p.store().switchTeam(next, sourceId, intent,
                        intentVersion);
                switched = true;
                writePauseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAtNanos);
                intentVersion = committed.value();
                phase = MovePhase.MOVE_CLEANING_UP;
                p.cache().awaitRevision(committed.revision(), p.settings().callTimeout());
                return null;
            });
            log.info("team '{}' now lives on shard '{}' at epoch {} (writes paused {} ms) "
                    + "[decision=move-switched team={} shard={} epoch={}]", team, targetId, epoch, writePauseMillis,
                    team, targetId, epoch);
            report();
            cleanUp(source, sourcePrimary);
        } catch (Throwable e) {
            try {
                ended(e);
            } catch (RuntimeException lastResort) {
                // a rollback that could not finish (this coordinator closing, the source unreachable):
                // the intent stays in ZooKeeper and the next leader resumes the move from it
                log.error("the move of team '{}' ended in phase {} and could not be rolled back here: {}; the next "
                        + "leader resumes it from its intent", team, phase, lastResort.getMessage());
                done.completeExceptionally(lastResort);
            }
        } finally {
            closeQuietly(source);
            closeQuietly(target);
        }
    }

    /**
     * After the switch: the source's fence moved and change capture off there, its copy deleted,
     * the move recorded as done.
     */
    private void cleanUp(StatefulRedisConnection<byte[], byte[]> source, String primary) throws Exception {
        fence(sourceId, primary, new TeamFence(team, TeamFence.State.MOVED, epoch));
        onShard(sourceId, primary, "switching change capture off", () -> {
            TeamCopier.stopCapture(source, team);
            return null;
        });
        reached(MovePhase.MOVE_CLEANING_UP);
        long deleted = onShard(sourceId, primary, "deleting the team's copy",
                () -> TeamCopier.deleteTeam(source, team, p.settings().pageSize()));
        finish(MovePhase.MOVE_DONE, "moved to shard '" + targetId + "' at epoch " + epoch + "; " + deleted
                + " object(s) deleted from shard '" + sourceId + "'");
    }

    private void ended(Throwable e) {
        boolean interrupted = e instanceof InterruptedException || e instanceof RedisCommandInterruptedException
                || Thread.currentThread().isInterrupted();
        if (stopping || (interrupted && !cancelRequested)) {
            log.info("the move of team '{}' stopped in phase {} (this coordinator stops leading); the next leader "
                    + "finishes or rolls it back", team, phase);
            done.completeExceptionally(new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "the leader stopped during the move of team '" + team + "' (phase " + phase + "); the next leader "
                            + "finishes or rolls it back: see ListMoves"));
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (switched) {
            log.warn("team '{}' moved to shard '{}', but cleaning up shard '{}' failed: {}", team, targetId, sourceId,
                    e.toString());
            finish(MovePhase.MOVE_DONE, "moved to shard '" + targetId + "' at epoch " + epoch + "; deleting the copy "
                    + "on shard '" + sourceId + "' failed (it stays there, fenced moved): " + message(e));
            return;
        }
        boolean cancelled = e instanceof Cancelled;
        String reason = cancelled ? "" : message(e);
        String why = cancelled ? "cancelled by an operator in phase " + phase
                : "rolled back in phase " + phase + ": " + reason;
        if (!cancelled) {
            log.warn("the move of team '{}' from shard '{}' to shard '{}' failed in phase {}: {} "
                    + "[decision=move-failed team={} shard={} epoch={}]", team, sourceId, targetId, phase, reason,
                    team, sourceId, epoch - 1);
        }
        rollBack(cancelled ? MovePhase.MOVE_CANCELLED : MovePhase.MOVE_ROLLED_BACK, why);
    }

    /** Why the move failed, in words for its outcome: the shard and what happened there. */
    private String message(Throwable e) {
        if (e instanceof TeamCopyException copy) {
            boolean fromSource = copy.side() == TeamCopyException.Side.SOURCE;
            return FailureWords.of(copy, fromSource ? sourceId : targetId, fromSource ? sourcePrimary : targetPrimary,
                    p.settings().callTimeout());
        }
        if (e instanceof CoordinatorException) {
            return e.getMessage();
        }
        if (e instanceof KeeperException k) {
            return "recording the move in ZooKeeper failed (" + k.getMessage() + "); a new leader may have taken it "
                    + "over";
        }
        log.warn("the move of team '{}' failed unexpectedly", team, e);
        return FailureWords.unexpected(e);
    }

    /**
     * A Redis step of the move on one shard; a failure becomes a {@link CoordinatorException}
     * ({@code UNAVAILABLE}) saying what the step was, on which shard, and what happened there.
     */
    private <T> T onShard(String shardId, String primary, String what, Supplier<T> step) {
        try {
            return step.get();
        } catch (RedisCommandInterruptedException e) {
            throw e;
        } catch (RedisException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, what + " on shard '" + shardId
                    + "' failed: " + FailureWords.of(e, shardId, primary, p.settings().callTimeout()), e);
        }
    }

    /** Writes the team's fence on a shard's primary; a Redis failure in words. */
    private void fence(String shardId, String primary, TeamFence fence) {
        try {
            p.nodes().writeFence(primary, fence);
        } catch (CoordinatorException e) {
            if (e.getCause() instanceof RedisException r && !(r instanceof RedisCommandInterruptedException)) {
                throw new CoordinatorException(e.reason(), "writing the " + fence.state().field() + " fence of team '"
                        + team + "' on shard '" + shardId + "' failed: " + FailureWords.of(r, shardId, primary,
                        p.settings().callTimeout()), e);
            }
            throw e;
        }
    }

    /** A round that leaves little for the frozen one. */
    private boolean small(TeamCopier.Round round) {
        return round.objectsCopied() == 0 && round.itemsChanged() <= p.settings().smallDelta();
    }

    /**
     * The copier's checkpoint, between every two pages or steps: {@link #check}, and once the team
     * is frozen, the write-pause budget ({@link Mover.Settings#maxWritePause}): a frozen phase that
     * reaches it stops, and the move rolls back, rather than pause writes longer.
     */
    private void checkpoint(String object) throws InterruptedException {
        check();
        long frozenAt = frozenAtNanos;
        Duration budget = p.settings().maxWritePause();
        if (frozenAt != 0 && !switched && System.nanoTime() - frozenAt > budget.toNanos()) {
            throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED, "the final catch-up of team '"
                    + team + "' did not finish within " + budget.toMillis() + " ms of write pause ("
                    + (object.isEmpty() ? "" : "at object '" + object + "', ") + "phase " + phase
                    + "); the team is writable again on shard '" + sourceId + "'; move it when it is written less, or "
                    + "raise the move write-pause budget (maxWritePause, " + budget.toMillis() + " ms)");
        }
    }

    /** Stops the move when asked to, or when the shards or the team's placement changed under it. */
    private void check() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (stopping) {
            throw new InterruptedException();
        }
        if (cancelRequested) {
            throw new Cancelled();
        }
        Shard source = shard(sourceId);
        Shard target = shard(targetId);
        if (source.getEpoch() != sourceShardEpoch || target.getEpoch() != targetShardEpoch) {
            Shard changed = source.getEpoch() != sourceShardEpoch ? source : target;
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "shard '" + changed.getId()
                    + "' changed its primary during the move (now " + changed.getPrimary() + ", epoch "
                    + changed.getEpoch() + ")");
        }
        if (target.getState() == ShardState.SHARD_FAILED) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "shard '" + targetId + "' failed: "
                    + target.getStateReason());
        }
        TeamPlacement placement = p.cache().view().team(team).orElse(null);
        if (placement == null || !placement.getShardId().equals(sourceId) || placement.getEpoch() != epoch - 1) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + team
                    + "' was placed elsewhere during the move");
        }
    }

    private Shard shard(String id) {
        return p.cache().view().shard(id).orElseThrow(() -> new CoordinatorException(
                CoordinatorException.Reason.NOT_FOUND, "shard '" + id + "' was removed during the move"));
    }

    /** Records a new phase in the intent (compare-and-set) and tells the listeners. */
    private void enter(MovePhase next) throws Exception {
        MoveProgress intent = snapshot(next, "");
        intentVersion = p.store().updateMove(intent, intentVersion);
        phase = next;
        publish(intent);
    }

    private void reached(MovePhase at) throws InterruptedException {
        p.hook().reached(at, progress());
    }

    // ---- rollback, resumption, end ----

    /**
     * Undoes a move that has not switched: the source writable again first (its fence active at the
     * team's epoch, on whatever primary the source has now), then the target's copy deleted and its
     * fence moved, if the target answers; then the record.
     */
    private void rollBack(MovePhase outcomePhase, String why) {
        boolean wasFrozen = frozenAtNanos != 0;
        String primary = unfreezeSource();
        try {
            p.store().setTeamState(team, sourceId, epoch - 1, TeamState.TEAM_ACTIVE); // Watch tells the waiters
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("the move of team '{}': the directory could not be told it is active again ({}); it shows the "
                    + "team frozen until its next move (writes are not held: its fence is active)", team, message(e));
        }
        if (wasFrozen) {
            writePauseMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAtNanos);
        }
        String captureLeft = stopCapture(primary);
        String targetLeft = deleteTargetCopy();
        finish(outcomePhase, why + captureLeft + targetLeft);
    }

    /** Makes the team writable on its source's current primary again; returns that primary. */
    private String unfreezeSource() {
        long deadline = System.nanoTime() + UNFREEZE_DEADLINE.toNanos();
        while (true) {
            try {
                String primary = shard(sourceId).getPrimary();
                sourcePrimary = primary;
                fence(sourceId, primary, TeamFence.active(team, epoch - 1));
                return primary;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || stopping) {
                    log.error("the move of team '{}' could not make it writable again on shard '{}' within {} s: {}; "
                                    + "its fence there stays frozen until a leader resumes the move", team, sourceId,
                            UNFREEZE_DEADLINE.toSeconds(), e.getMessage());
                    throw e;
                }
                // the source's primary may be failing over: try the directory's primary again shortly
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /**
     * Switches change capture off on the source (the team is writable there again); returns what
     * was left, for the outcome ("" when it went): a log left behind expires by itself.
     */
    private String stopCapture(String primary) {
        try {
            StatefulRedisConnection<byte[], byte[]> source = p.nodes().openBinary(primary, CLIENT_NAME);
            try {
                onShard(sourceId, primary, "switching change capture off", () -> {
                    TeamCopier.stopCapture(source, team);
                    return null;
                });
            } finally {
                closeQuietly(source);
            }
            return "";
        } catch (RuntimeException e) {
            log.warn("the move of team '{}': change capture could not be switched off on shard '{}' ({}); its log "
                    + "expires within {} min", team, sourceId, e.getMessage(), TeamCopier.CHANGE_LOG_TTL.toMinutes());
            return "; change capture could not be switched off on shard '" + sourceId + "' (" + e.getMessage()
                    + "): its log expires within " + TeamCopier.CHANGE_LOG_TTL.toMinutes() + " min";
        }
    }

    /** Deletes the target's copy; returns what was left, for the outcome ("" when all went). */
    private String deleteTargetCopy() {
        try {
            String primary = shard(targetId).getPrimary();
            targetPrimary = primary;
            StatefulRedisConnection<byte[], byte[]> target = p.nodes().openBinary(primary, CLIENT_NAME);
            try {
                onShard(targetId, primary, "deleting the team's copy",
                        () -> TeamCopier.deleteTeam(target, team, p.settings().pageSize()));
            } finally {
                closeQuietly(target);
            }
            fence(targetId, primary, new TeamFence(team, TeamFence.State.MOVED, epoch - 1));
            return "";
        } catch (RuntimeException e) {
            log.warn("the move of team '{}': its copy on shard '{}' could not be deleted ({}); the next move to that "
                    + "shard deletes it", team, targetId, e.getMessage());
            return "; the copy on shard '" + targetId + "' could not be deleted (" + e.getMessage()
                    + "); the next move there deletes it";
        }
    }

    /**
     * Finishes a move a previous leader left: cleans up when its switch committed (the directory
     * names the target at the move's epoch), rolls it back otherwise.
     */
    void resume() {
        try {
            Optional<TeamPlacement> placement = p.store().readTeam(team);
            boolean committed = placement.isPresent() && placement.get().getShardId().equals(targetId)
                    && placement.get().getEpoch() == epoch;
            log.info("resuming the move of team '{}' (move {}, phase {}) a previous leader left: {}", team, moveId,
                    phase, committed ? "finishing it" : "rolling it back");
            if (committed) {
                switched = true;
                String primary = shard(sourceId).getPrimary();
                sourcePrimary = primary;
                StatefulRedisConnection<byte[], byte[]> source = p.nodes().openBinary(primary, CLIENT_NAME);
                try {
                    cleanUp(source, primary);
                } finally {
                    closeQuietly(source);
                }
            } else {
                frozenAtNanos = 0;
                rollBack(MovePhase.MOVE_ROLLED_BACK, "rolled back by coordinator '" + p.coordinatorId()
                        + "': the leader stopped in phase " + phase);
            }
        } catch (Throwable e) {
            log.warn("resuming the move of team '{}' failed (tried again at the next leadership): {}", team,
                    e.toString());
            p.running().remove(team, this);
            done.completeExceptionally(e);
        }
    }

    /** Records the end in ZooKeeper's history, tells the listeners, and completes. */
    private void finish(MovePhase at, String why) {
        phase = at;
        outcome = why;
        MoveProgress last = snapshot(at, why);
        try {
            p.store().finishMove(last, intentVersion);
        } catch (Exception e) {
            log.warn("the end of the move of team '{}' could not be recorded: {}", team, e.toString());
        }
        p.running().remove(team, this);
        synchronized (listeners) {
            done.complete(last);
            publish(last);
            listeners.clear();
        }
        log.info("move {} of team '{}' ended: {} ({}) [decision=move-ended team={} shard={} epoch={}]", moveId, team,
                at, why, team, at == MovePhase.MOVE_DONE ? targetId : sourceId, at == MovePhase.MOVE_DONE ? epoch
                        : epoch - 1);
    }

    private static void closeQuietly(StatefulRedisConnection<?, ?> c) {
        if (c != null) {
            try {
                c.closeAsync().get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
