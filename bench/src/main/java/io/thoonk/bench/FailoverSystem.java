package io.thoonk.bench;

import java.time.Duration;

/**
 * A system the failover benchmark measures: something that starts a fresh deployment of one primary
 * with one replica and its failure detection, for every round. Implementations: {@link SentinelFailover}
 * (the baseline) and {@link ThoonkFailover} (this cluster).
 */
interface FailoverSystem extends AutoCloseable {

    /** Shown in the report, e.g. {@code Redis Sentinel}. */
    String name();

    /**
     * Starts fresh processes: a primary, a replica linked to it, failure detection that declares a
     * primary down after {@code detection} (Sentinel's {@code down-after-milliseconds}, the
     * coordinators' {@code down-after}) and is ready to fail over, and a client connected to the
     * primary. Returns once a failover could happen; throws if that does not happen within its own
     * deadline.
     */
    FailoverTarget start(Duration detection) throws Exception;

    /** Releases what the system keeps across rounds (client resources); idempotent. */
    @Override
    default void close() {
    }
}
