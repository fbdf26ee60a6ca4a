package io.thoonk.coordinator.placement;

import io.thoonk.coordinator.CoordinatorException;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The leader's decisions, one at a time: placing teams, registering and removing shards (moves and
 * promotions join them later). A decision reads this coordinator's directory view, writes to Redis
 * and ZooKeeper, and returns once the view holds what it wrote, so the next decision starts from
 * it. Serialized here so the leader never races itself; the store's compare-and-set guards
 * against anyone else (an old leader that does not know yet, say).
 *
 * <p>Turns are taken in arrival order, and waiting for one has a deadline.
 */
public final class Decisions {

    /** One decision, run while no other runs. */
    @FunctionalInterface
    public interface Decision<T> {
        T decide() throws Exception;
    }

    private final ReentrantLock turn = new ReentrantLock(true);
    private final Duration timeout;

    /** @param timeout how long a decision waits for the one before it to finish */
    public Decisions(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Runs {@code decision} once no other decision runs. Throws DEADLINE_EXCEEDED, naming
     * {@code what}, if the turn does not come within the timeout.
     */
    public <T> T run(String what, Decision<T> decision) throws Exception {
        if (!turn.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED, what + " waited "
                    + timeout.toMillis() + " ms for the leader's previous decision to finish; retry");
        }
        try {
            return decision.decide();
        } finally {
            turn.unlock();
        }
    }
}
