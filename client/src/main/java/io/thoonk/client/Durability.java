package io.thoonk.client;

/**
 * When a write is acknowledged: once the shard's primary applied it ({@link #PRIMARY}), or once at
 * least one replica has it too ({@link #REPLICATED}), so that it survives the primary's failure.
 *
 * <p>Set per client ({@link ThoonkOptions#durability()}) and per object view
 * ({@code thoonk.feed("team:7:news").withDurability(Durability.PRIMARY)}). Reads are not affected.
 * A shard's primary runs each write as one script and then, for {@link #REPLICATED}, the client
 * sends {@code WAIT 1 <replicationTimeout>} right behind it on the same connection; coalesced
 * publishes to one feed share one {@code WAIT}.
 */
public enum Durability {

    /**
     * {@link #REPLICATED} when the directory names a live replica for the team's shard (it has
     * replicas and is not {@code SHARD_DEGRADED}), else {@link #PRIMARY}; decided again at each
     * attempt, so a write riding a failover to a primary without a replica yet goes through. A
     * single-Redis client ({@link Thoonk#connect}) knows no replicas: {@link #PRIMARY}. The default.
     */
    AUTO,

    /**
     * Acknowledged only once a replica confirmed it ({@code WAIT 1}) within
     * {@link ThoonkOptions#replicationTimeout()}; otherwise the call fails with
     * {@link WriteOutcomeUnknownException}. On a cluster shard the directory names no live replica
     * for, the write is refused before anything is written ({@link ReplicationUnavailableException}).
     */
    REPLICATED,

    /**
     * Acknowledged once the primary applied it: faster, but the last writes before a primary's
     * failure may be lost when a replica takes over.
     */
    PRIMARY
}
