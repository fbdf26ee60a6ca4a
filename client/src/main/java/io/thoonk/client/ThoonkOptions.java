package io.thoonk.client;

import io.thoonk.contract.RedisCredentials;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Client settings. Immutable; build with {@link #builder()}.
 *
 * @param maxItemBytes   largest item, job payload or result accepted, in UTF-8 bytes (default 1 MiB)
 * @param historyLength  history entries kept per object when the object's config sets none (default 1000)
 * @param commandTimeout deadline of every call, blocking or asynchronous (default 10 s): a call still
 *                       unanswered then fails with {@link ThoonkTimeoutException}, whatever it
 *                       waits for (the coordinators, a connection, Redis, a failover, a team
 *                       frozen for a move, or a stale route resolved again). Calls that wait by design
 *                       (a take with a timeout) get their wait on top. A call that timed out may
 *                       still have been applied by Redis.
 * @param teamRule       which team an object belongs to (default {@link TeamRule#standard()})
 * @param instanceId     this process's id in registry events (default a random UUID)
 * @param publishBatch   most feed publishes sent to Redis as one script call: publishes to a feed
 *                       that arrive while an earlier call for that feed is still running wait and
 *                       then go together, in order, each still its own change with its own
 *                       revision, event and result (default 64, at most 1000; 1 sends every
 *                       publish on its own)
 * @param maxQueuedCalls most calls waiting for one Redis connection (sent and unanswered, or held
 *                       while it is disconnected), and most writes waiting in one feed's lane;
 *                       beyond it calls fail at once with {@link ThoonkConnectionException}
 *                       instead of piling up for a shard that does not answer (default 10,000)
 * @param refuseClusterShard what {@link Thoonk#connect(String, ThoonkOptions)} does with a Redis that a
 *                       coordinator registered as a shard of a cluster (writing there directly skips
 *                       routing): true refuses it with {@link ClusterShardException}; false (default) logs
 *                       a warning and connects. Cluster clients ignore it.
 * @param durability     when writes are acknowledged (default {@link Durability#AUTO}: replicated where
 *                       the team's shard has a live replica); object views can override it
 *                       ({@code feed.withDurability(...)})
 * @param replicationTimeout how long a {@link Durability#REPLICATED} write waits for a replica's
 *                       confirmation ({@code WAIT}) before it fails with
 *                       {@link WriteOutcomeUnknownException}; positive and below
 *                       {@code commandTimeout} (default 1 s, or half the command timeout when that
 *                       is 2 s or less)
 * @param redisCredentials what every connection to Redis authenticates with: the shards' nodes of a cluster, or
 *                       the one Redis of {@link Thoonk#connect(String, ThoonkOptions)} (default
 *                       {@link RedisCredentials#none()}; there a password in the URI works too, but not both).
 *                       A node that refuses them fails calls at once with {@link RedisAuthenticationException}.
 *                       Shown masked by {@link #toString()}
 */
public record ThoonkOptions(long maxItemBytes, int historyLength, Duration commandTimeout, TeamRule teamRule,
                            String instanceId, int publishBatch, int maxQueuedCalls,
                            boolean refuseClusterShard, Durability durability, Duration replicationTimeout,
                            RedisCredentials redisCredentials) {

    public static final long DEFAULT_MAX_ITEM_BYTES = 1024 * 1024;
    public static final int DEFAULT_HISTORY_LENGTH = 1000;
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_PUBLISH_BATCH = 64;
    /** Largest {@link #publishBatch()}: one script call should not hold Redis for long (and Lua's unpack has limits). */
    public static final int MAX_PUBLISH_BATCH = 1000;
    public static final int DEFAULT_MAX_QUEUED_CALLS = 10_000;
    /** {@link #replicationTimeout()} unless set, or half the command timeout when that is shorter than twice this. */
    public static final Duration DEFAULT_REPLICATION_TIMEOUT = Duration.ofSeconds(1);

    public ThoonkOptions {
        if (maxItemBytes <= 0) {
            throw new InvalidArgumentException("maxItemBytes must be > 0, was " + maxItemBytes);
        }
        if (historyLength < 0) {
            throw new InvalidArgumentException("historyLength must be >= 0, was " + historyLength);
        }
        Objects.requireNonNull(commandTimeout, "commandTimeout == null");
        if (commandTimeout.isNegative() || commandTimeout.isZero()) {
            throw new InvalidArgumentException("commandTimeout must be positive, was " + commandTimeout);
        }
        Objects.requireNonNull(teamRule, "teamRule == null");
        Objects.requireNonNull(instanceId, "instanceId == null");
        if (publishBatch < 1 || publishBatch > MAX_PUBLISH_BATCH) {
            throw new InvalidArgumentException("publishBatch must be between 1 and " + MAX_PUBLISH_BATCH + ", was "
                    + publishBatch);
        }
        if (maxQueuedCalls < 1) {
            throw new InvalidArgumentException("maxQueuedCalls must be >= 1, was " + maxQueuedCalls);
        }
        Objects.requireNonNull(durability, "durability == null");
        Objects.requireNonNull(replicationTimeout, "replicationTimeout == null");
        if (replicationTimeout.toMillis() < 1 || replicationTimeout.compareTo(commandTimeout) >= 0) {
            throw new InvalidArgumentException("replicationTimeout must be at least 1 ms and below commandTimeout ("
                    + commandTimeout + "), so a write can still fail with its own error within its deadline; was "
                    + replicationTimeout);
        }
        Objects.requireNonNull(redisCredentials, "redisCredentials == null");
    }

    /** The replication timeout used when none is set: {@link #DEFAULT_REPLICATION_TIMEOUT}, at most half {@code commandTimeout}. */
    static Duration defaultReplicationTimeout(Duration commandTimeout) {
        Duration half = commandTimeout.dividedBy(2);
        return half.compareTo(DEFAULT_REPLICATION_TIMEOUT) < 0 ? half : DEFAULT_REPLICATION_TIMEOUT;
    }

    public static ThoonkOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these settings. A replication timeout that is the default for this
     * command timeout stays a default (it follows a new command timeout).
     */
    public Builder toBuilder() {
        Builder builder = new Builder();
        if (!replicationTimeout.equals(defaultReplicationTimeout(commandTimeout))) {
            builder.replicationTimeout(replicationTimeout);
        }
        return builder.maxItemBytes(maxItemBytes).historyLength(historyLength)
                .commandTimeout(commandTimeout).teamRule(teamRule).instanceId(instanceId)
                .publishBatch(publishBatch).maxQueuedCalls(maxQueuedCalls)
                .refuseClusterShard(refuseClusterShard).durability(durability).redisCredentials(redisCredentials);
    }

    /** Builds {@link ThoonkOptions}. */
    public static final class Builder {
        private long maxItemBytes = DEFAULT_MAX_ITEM_BYTES;
        private int historyLength = DEFAULT_HISTORY_LENGTH;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
        private TeamRule teamRule = TeamRule.standard();
        private String instanceId = UUID.randomUUID().toString();
        private int publishBatch = DEFAULT_PUBLISH_BATCH;
        private int maxQueuedCalls = DEFAULT_MAX_QUEUED_CALLS;
        private boolean refuseClusterShard;
        private Durability durability = Durability.AUTO;
        private Duration replicationTimeout;
        private RedisCredentials redisCredentials = RedisCredentials.none();

        private Builder() {
        }

        public Builder maxItemBytes(long maxItemBytes) {
            this.maxItemBytes = maxItemBytes;
            return this;
        }

        public Builder historyLength(int historyLength) {
            this.historyLength = historyLength;
            return this;
        }

        public Builder commandTimeout(Duration commandTimeout) {
            this.commandTimeout = commandTimeout;
            return this;
        }

        public Builder teamRule(TeamRule teamRule) {
            this.teamRule = teamRule;
            return this;
        }

        public Builder instanceId(String instanceId) {
            this.instanceId = instanceId;
            return this;
        }

        public Builder publishBatch(int publishBatch) {
            this.publishBatch = publishBatch;
            return this;
        }

        public Builder maxQueuedCalls(int maxQueuedCalls) {
            this.maxQueuedCalls = maxQueuedCalls;
            return this;
        }

        public Builder refuseClusterShard(boolean refuseClusterShard) {
            this.refuseClusterShard = refuseClusterShard;
            return this;
        }

        public Builder durability(Durability durability) {
            this.durability = durability;
            return this;
        }

        public Builder replicationTimeout(Duration replicationTimeout) {
            this.replicationTimeout = Objects.requireNonNull(replicationTimeout, "replicationTimeout == null");
            return this;
        }

        /**
         * What every connection to Redis authenticates with, e.g.
         * {@code RedisCredentials.password(System.getenv("REDIS_PASSWORD").toCharArray())} or
         * {@code RedisCredentials.of("app", password)} for a Redis ACL user.
         */
        public Builder redisCredentials(RedisCredentials redisCredentials) {
            this.redisCredentials = Objects.requireNonNull(redisCredentials, "redisCredentials == null");
            return this;
        }

        public ThoonkOptions build() {
            Duration replication = replicationTimeout != null || commandTimeout == null ? replicationTimeout
                    : defaultReplicationTimeout(commandTimeout);
            return new ThoonkOptions(maxItemBytes, historyLength, commandTimeout, teamRule, instanceId,
                    publishBatch, maxQueuedCalls, refuseClusterShard, durability, replication, redisCredentials);
        }
    }
}
