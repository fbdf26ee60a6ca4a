package io.thoonk.bench;

import io.thoonk.client.Thoonk;
import io.thoonk.testing.RedisProcess;

import java.util.OptionalLong;

/**
 * One round's deployment of a {@link MoveSystem}: a source and a target Redis, a client, and the move
 * of one team from the one to the other. The benchmark loads the team through {@link #client()}, keeps
 * writing to it through the same client from another thread while it calls {@link #move} once, and
 * watches both Redis servers' latency monitors meanwhile.
 */
interface MoveDeployment extends AutoCloseable {

    /**
     * The client the team is written through, before, during and after the move: its writes to the
     * team's objects must reach the team wherever it lives (for a plain Redis client: the source).
     */
    Thoonk client();

    /** The Redis primary that holds the team before the move. */
    RedisProcess source();

    /** The Redis primary that holds the team after the move. */
    RedisProcess target();

    /**
     * Moves every object of {@code team} from {@link #source()} to {@link #target()}; returns once the
     * move has ended (for a move that deletes the source's copy afterwards: once that is done too), and
     * answers how long the system itself says the team's writes were paused, if it says.
     *
     * @throws Exception if the move fails or does not end within the system's own deadline
     */
    OptionalLong move(String team) throws Exception;

    /** Stops the client and every process of the round; idempotent. */
    @Override
    void close();
}
