package io.thoonk.bench;

import java.util.Optional;

/**
 * A way to move a team's data from one Redis to another, as the move benchmark measures it: something
 * that starts, for every round, a source and a target Redis and a client whose writes to the team go
 * wherever the team lives. Implementations: {@link MigrateMove} (the baseline, Redis {@code MIGRATE})
 * and {@link ThoonkMove} (this cluster's {@code Admin.MoveTeam}).
 */
interface MoveSystem extends AutoCloseable {

    /** Shown in the report, e.g. {@code MIGRATE}. */
    String name();

    /**
     * Why this system cannot be measured in this build (the report shows the text instead of
     * figures), or empty when {@link #start} works.
     */
    default Optional<String> notMeasuredBecause() {
        return Optional.empty();
    }

    /**
     * Starts a deployment for one round in which {@code team} (a team id, fresh every round) lives on
     * the deployment's {@linkplain MoveDeployment#source() source}: nothing of it exists yet, and the
     * benchmark writes it through the deployment's client. Throws if that cannot be set up within the
     * system's own deadline.
     */
    MoveDeployment start(String team) throws Exception;

    /** Releases what the system keeps across rounds; idempotent. */
    @Override
    default void close() {
    }
}
