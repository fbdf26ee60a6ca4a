package io.thoonk.cli;

import io.thoonk.client.ClusterShardException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;

/**
 * Where the data lives, shared by every command that reads or writes objects: one Redis
 * ({@code --redis URI}), or a cluster through its coordinators ({@code --coordinator
 * host:port[,host:port...]}: every object goes to its team's shard). Without either flag:
 * {@code THOONK_REDIS}, else {@code THOONK_COORDINATOR}, else {@value #DEFAULT_REDIS_URI}.
 *
 * <p>Mixed into a command group, its options are inherited by all the group's subcommands, so they
 * may be given anywhere after the group's name. Opening a client goes through {@link #open()} only.
 */
public final class ConnectionOptions {

    /** Environment variable with the Redis URI used when {@code --redis} is not given. */
    public static final String REDIS_ENV = "THOONK_REDIS";
    /** Redis URI used when neither {@code --redis} nor {@code THOONK_REDIS} is set. */
    public static final String DEFAULT_REDIS_URI = "redis://127.0.0.1:6379";

    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-socket");

    @Option(names = "--redis", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Redis to use, e.g. redis://host:6379 (default: $" + REDIS_ENV + ", else "
                    + DEFAULT_REDIS_URI + ").")
    private String redis;

    @Option(names = "--coordinator", paramLabel = "HOST:PORT[,HOST:PORT...]", scope = ScopeType.INHERIT,
            description = "Use a cluster: coordinators to ask where each team lives (any may be down).")
    private String coordinators;

    @Option(names = "--force-direct", scope = ScopeType.INHERIT, description = "Use the Redis of --redis even "
            + "when it is a shard of a cluster (refused otherwise: writing to a shard directly skips the "
            + "cluster's routing, so a team's objects could end up on two shards).")
    private boolean forceDirect;

    /** The coordinators to route through, when the cluster is to be used. */
    Optional<java.util.List<String>> coordinators() {
        if (coordinators != null) {
            if (redis != null) {
                throw new InvalidArgumentException("give either --redis or --coordinator, not both");
            }
            return Optional.of(CoordinatorOptions.parse(coordinators));
        }
        if (redis != null || System.getenv(REDIS_ENV) != null && !System.getenv(REDIS_ENV).isBlank()) {
            return Optional.empty();
        }
        String fromEnv = System.getenv(CoordinatorOptions.COORDINATOR_ENV);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(CoordinatorOptions.parse(fromEnv));
    }

    /** The Redis URI given with {@code --redis} or {@code THOONK_REDIS}, if any. */
    public Optional<String> explicitRedisUri() {
        if (redis != null) {
            return Optional.of(redis);
        }
        String fromEnv = System.getenv(REDIS_ENV);
        return fromEnv == null || fromEnv.isBlank() ? Optional.empty() : Optional.of(fromEnv.trim());
    }

    /** The Redis URI to use. */
    public String redisUri() {
        return explicitRedisUri().orElse(DEFAULT_REDIS_URI);
    }

    /**
     * Connects to the cluster's coordinators if given, else to {@link #redisUri()}, which must not
     * be a shard of a cluster unless {@code --force-direct} is given.
     */
    public Thoonk open() {
        return open(ThoonkOptions.defaults());
    }

    /** {@link #open()} with the client settings {@code options}. */
    public Thoonk open(ThoonkOptions options) {
        Optional<java.util.List<String>> cluster = coordinators();
        if (cluster.isPresent()) {
            return Thoonk.connectCluster(cluster.get(), options);
        }
        try {
            return open(redisUri(), options.toBuilder().refuseClusterShard(!forceDirect).build());
        } catch (ClusterShardException e) {
            throw new InvalidArgumentException("the Redis at " + e.redis() + " is shard '" + e.shard() + "' of a "
                    + "Thoonk cluster: writing to it directly skips the cluster's routing, so a team's objects could "
                    + "end up on two shards; use --coordinator HOST:PORT (one of the cluster's coordinators) instead, "
                    + "or add --force-direct to use this Redis anyway");
        }
    }

    /**
     * Connects to {@code redisUri}, refusing a malformed URI with an {@link InvalidArgumentException};
     * a cluster shard is used with a logged warning.
     */
    public static Thoonk open(String redisUri) {
        return open(redisUri, ThoonkOptions.defaults());
    }

    private static Thoonk open(String redisUri, ThoonkOptions options) {
        check(redisUri);
        try {
            return Thoonk.connect(redisUri, options);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("invalid Redis URI '" + redisUri + "': " + e.getMessage());
        }
    }

    private static void check(String redisUri) {
        String scheme;
        try {
            scheme = new URI(redisUri).getScheme();
        } catch (URISyntaxException e) {
            scheme = null;
        }
        if (scheme == null || !SCHEMES.contains(scheme)) {
            throw new InvalidArgumentException("invalid Redis URI '" + redisUri
                    + "': expected redis://host:port (or rediss://, redis-socket://)");
        }
    }
}
