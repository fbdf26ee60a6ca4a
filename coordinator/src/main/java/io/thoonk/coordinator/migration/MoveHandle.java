package io.thoonk.coordinator.migration;

import io.thoonk.proto.v1.MoveProgress;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One team move as it runs on the leader ({@link Mover#move}): where it is, progress as it goes,
 * and how it ended. Watching a move never steers it: a listener that goes away, or a caller that
 * stops waiting, leaves the move running; {@link Mover#cancel} stops one.
 *
 * <p>Listeners get a {@link MoveProgress} at each phase change and at least every progress
 * interval (1 s by default), the last one with a final phase ({@code MOVE_DONE},
 * {@code MOVE_CANCELLED}, {@code MOVE_ROLLED_BACK}). They are called one at a time (never
 * concurrently), in order, from the mover's threads; a listener that throws is removed.
 */
public interface MoveHandle {

    /** The move's id (unique per move, as ListMoves and the history show it). */
    String moveId();

    String team();

    /** Where the move is now. */
    MoveProgress progress();

    /**
     * Adds a listener; it gets the current progress at once, then every report. Added after the move
     * ended, it gets the final report once.
     */
    void addListener(Consumer<MoveProgress> listener);

    void removeListener(Consumer<MoveProgress> listener);

    /**
     * Completes with the final progress when the move ends (done, cancelled or rolled back);
     * completes exceptionally with a {@code CoordinatorException} (UNAVAILABLE) when this
     * coordinator stopped leading or closed in the middle of it: the next leader then finishes or
     * rolls it back, and ListMoves shows how it ended.
     */
    CompletableFuture<MoveProgress> completion();
}
