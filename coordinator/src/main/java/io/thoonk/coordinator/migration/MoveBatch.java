package io.thoonk.coordinator.migration;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs team moves through the {@link Mover}, at most {@code maxConcurrent} at a time, on one thread
 * of its own: the engine of drains and rebalances. {@link Steps} says which move comes next; the
 * batch starts moves until that many run, waits for one to end, and goes on until no step is left
 * and no move runs.
 *
 * <p>A move that cannot start or that rolls back is counted as a failure and the batch goes on
 * (a team is tried once per batch). A move that was cancelled ({@code CancelMove}) stops the batch:
 * no new move starts, the others run to their end. So does losing leadership (the next leader
 * finishes or rolls back the moves in progress, and the operator runs the batch again there).
 *
 * <p>Reports go to the listeners when a move starts or ends and every {@code interval}; all are
 * produced on the batch's thread, so listeners are called one at a time, in order.
 */
final class MoveBatch<P> implements BatchHandle<P> {

    private static final Logger log = LoggerFactory.getLogger(MoveBatch.class);

    /**
     * One move to start, or, with a {@code refusal} (else null), a team counted as not moved for
     * that reason.
     */
    record Step(String team, String targetShardId, String refusal) {

        Step(String team, String targetShardId) {
            this(team, targetShardId, null);
        }
    }

    /** Says which move comes next; called on the batch's thread only. */
    @FunctionalInterface
    interface Steps {
        /**
         * The next move, for a team not in {@code tried} (teams started or refused in this batch);
         * empty when none is left. An exception stops the batch, naming its message.
         */
        Optional<Step> next(Set<String> tried) throws Exception;
    }

    /**
     * The batch as it is, for a progress message.
     *
     * @param moved    moves that ended {@code MOVE_DONE}
     * @param running  the moves in progress, by team
     * @param failures teams not moved, each with why ("team 'a': ...")
     * @param done     whether the batch ended
     * @param stopped  why it stopped before running out of steps, or null
     */
    record State(long moved, List<MoveProgress> running, List<String> failures, boolean done, String stopped) {
    }

    private record Ended(String team, MoveProgress progress, Throwable error) {
    }

    private final String what;
    private final Mover mover;
    private final Leadership leadership;
    private final int maxConcurrent;
    private final Duration interval;
    private final Steps steps;
    private final Function<State, P> reports;
    private final Map<String, MoveHandle> running = new ConcurrentSkipListMap<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    private final Set<String> tried = new HashSet<>();
    private final List<Consumer<P>> listeners = new ArrayList<>();
    private final CompletableFuture<P> done = new CompletableFuture<>();
    private volatile long moved;
    private volatile String stopped;

    /**
     * @param what    the batch for a person ("the drain of shard 's1'"), in logs
     * @param reports builds a progress message from the batch's state
     */
    MoveBatch(String what, Mover mover, Leadership leadership, int maxConcurrent, Duration interval, Steps steps,
              Function<State, P> reports) {
        this.what = what;
        this.mover = mover;
        this.leadership = leadership;
        this.maxConcurrent = maxConcurrent;
        this.interval = interval;
        this.steps = steps;
        this.reports = reports;
    }

    /** The batch's work; run it on a thread of its own. */
    void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            stopped = "the coordinator is shutting down; the next leader finishes or rolls back the moves in "
                    + "progress: run it again there";
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("{} failed", what, e);
            stopped = "failed: " + e;
        } finally {
            P last = reports.apply(state(true));
            synchronized (listeners) {
                publish(last);
                done.complete(last);
            }
            log.info("{} ended: {} moved, {} not moved{}", what, moved, failures.size(),
                    stopped == null ? "" : "; stopped: " + stopped);
        }
    }

    private void loop() throws InterruptedException {
        report();
        while (true) {
            while (stopped == null && running.size() < maxConcurrent && start()) {
                report();
            }
            if (running.isEmpty()) {
                return;
            }
            Ended end = ended.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
            if (end != null) {
                running.remove(end.team);
                account(end);
            }
            report();
        }
    }

    /** Starts the next step; false when there is none (or the batch stops). */
    private boolean start() {
        if (!leadership.isLeader()) {
            stopped = "this coordinator no longer leads; run it again on the leader";
            return false;
        }
        Optional<Step> step;
        try {
            step = steps.next(Set.copyOf(tried));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = "interrupted";
            return false;
        } catch (Exception e) {
            stopped = e.getMessage();
            return false;
        }
        if (step.isEmpty()) {
            return false;
        }
        String team = step.get().team();
        tried.add(team);
        if (step.get().refusal() != null) {
            failures.add("team '" + team + "': " + step.get().refusal());
            return true;
        }
        try {
            MoveHandle move = mover.move(team, step.get().targetShardId());
            running.put(team, move);
            move.completion().whenComplete((progress, error) -> ended.add(new Ended(team, progress, error)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = "interrupted";
            return false;
        } catch (Exception e) {
            failures.add("team '" + team + "': " + e.getMessage());
            if (e instanceof CoordinatorException c && c.reason() == CoordinatorException.Reason.UNAVAILABLE) {
                stopped = e.getMessage();
                return false;
            }
        }
        return true;
    }

    private void account(Ended end) {
        if (end.error != null) {
            failures.add("team '" + end.team + "': " + end.error.getMessage());
            stopped = "this coordinator stopped leading during the move of team '" + end.team + "'; the next "
                    + "leader finishes or rolls back the moves in progress: run it again there";
            return;
        }
        MovePhase phase = end.progress.getPhase();
        if (phase == MovePhase.MOVE_DONE) {
            moved++;
        } else if (phase == MovePhase.MOVE_CANCELLED) {
            failures.add("team '" + end.team + "': move cancelled");
            if (stopped == null) {
                stopped = "the move of team '" + end.team + "' was cancelled (CancelMove)";
            }
        } else {
            failures.add("team '" + end.team + "': " + end.progress.getOutcome());
        }
    }

    private State state(boolean finished) {
        return new State(moved, running.values().stream().map(MoveHandle::progress).toList(), List.copyOf(failures),
                finished, stopped);
    }

    private void report() {
        publish(reports.apply(state(false)));
    }

    private void publish(P progress) {
        synchronized (listeners) {
            for (Consumer<P> l : List.copyOf(listeners)) {
                deliver(l, progress);
            }
        }
    }

    private void deliver(Consumer<P> listener, P progress) {
        try {
            listener.accept(progress);
        } catch (RuntimeException e) {
            listeners.remove(listener);
            log.info("a listener of {} threw and is removed: {}", what, e.toString());
        }
    }

    @Override
    public P progress() {
        return done.isDone() ? done.join() : reports.apply(state(false));
    }

    @Override
    public void addListener(Consumer<P> listener) {
        synchronized (listeners) {
            if (done.isDone()) {
                deliver(listener, done.join());
                return;
            }
            listeners.add(listener);
            deliver(listener, progress());
        }
    }

    @Override
    public void removeListener(Consumer<P> listener) {
        synchronized (listeners) {
            listeners.remove(listener);
        }
    }

    @Override
    public CompletableFuture<P> completion() {
        return done;
    }
}
