package io.thoonk.cli;

import io.thoonk.client.ClusterShardException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkOptions;
import picocli.CommandLine.Mixin;
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
 * {@code THOONK_REDIS}, else {@code THOONK_COORDINATOR}, else the running {@code thoonk dev}, else
 * the command fails saying how to point it somewhere ({@link Target}).
 *
 * <p>Mixed into a command group, its options are inherited by all the group's subcommands, so they
 * may be given anywhere after the group's name. Opening a client goes through {@link #open()} only.
 * Every connection to Redis authenticates with the {@link RedisAuthOptions} credentials
 * ({@code THOONK_REDIS_PASSWORD}, {@code --redis-password-file}); one Redis also takes a password in
 * its URI ({@code redis://:PASSWORD@host:port}).
 */
public final class ConnectionOptions {

    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-socket");

    @Option(names = "--redis", paramLabel = "URI", scope = ScopeType.INHERIT,
            description = "Redis to use, e.g. redis://host:6379. Without --redis or --coordinator: $"
                    + Target.REDIS_ENV + ", else $" + Target.COORDINATOR_ENV + ", else the local cluster of a "
                    + "running ./thoonk dev.")
    private String redis;

    @Option(names = "--coordinator", paramLabel = "HOST:PORT[,HOST:PORT...]", scope = ScopeType.INHERIT,
            description = "Use a cluster: coordinators to ask where each team lives (any may be down); "
                    + "default: $" + Target.COORDINATOR_ENV + ".")
    private String coordinators;

    @Option(names = "--force-direct", scope = ScopeType.INHERIT, description = "Use the Redis of --redis even "
            + "when it is a shard of a cluster (refused otherwise: writing to a shard directly skips the "
            + "cluster's routing, so a team's objects could end up on two shards).")
    private boolean forceDirect;

    @Mixin
    private RedisAuthOptions redisAuth = new RedisAuthOptions();

    /** Where to connect: see {@link Target}. */
    Target target() {
        return Target.resolve(redis, coordinators, true, Target.NOTHING_GIVEN);
    }

    /** Where to connect if a flag or the environment says so (not the local cluster). */
    Optional<Target> givenTarget() {
        return Target.given(redis, coordinators, true);
    }

    /** Connects to {@link #target()}, which must not be a shard of a cluster unless {@code --force-direct} is given. */
    public Thoonk open() {
        return open(ThoonkOptions.defaults());
    }

    /** {@link #open()} with the client settings {@code options}, and the Redis credentials of the flags and environment. */
    public Thoonk open(ThoonkOptions options) {
        return open(target(), options.toBuilder().redisCredentials(redisAuth.credentials()).build(), forceDirect);
    }

    /** Connects to {@code target} with default settings, refusing a cluster shard given as Redis. */
    static Thoonk open(Target target) {
        return open(target, ThoonkOptions.defaults(), false);
    }

    /**
     * Connects to {@code target}; a connection failure says what chose the target, unless a flag
     * did; a malformed Redis URI is refused with an {@link InvalidArgumentException}, and so is a
     * cluster shard given as Redis unless {@code forceDirect}.
     */
    private static Thoonk open(Target target, ThoonkOptions options, boolean forceDirect) {
        try {
            if (target.isCluster()) {
                return Thoonk.connectCluster(target.coordinators(), options);
            }
            return open(target.redisUri(), options.toBuilder().refuseClusterShard(!forceDirect).build());
        } catch (ClusterShardException e) {
            throw new InvalidArgumentException("the Redis at " + e.redis() + " is shard '" + e.shard() + "' of a "
                    + "Thoonk cluster: writing to it directly skips the cluster's routing, so a team's objects could "
                    + "end up on two shards; use --coordinator HOST:PORT (one of the cluster's coordinators) instead, "
                    + "or add --force-direct to use this Redis anyway");
        } catch (ThoonkConnectionException e) {
            throw target.explain(e);
        }
    }

    private static Thoonk open(String redisUri, ThoonkOptions options) {
        check(redisUri);
        try {
            return Thoonk.connect(redisUri, options);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("invalid Redis URI '" + Target.withoutPassword(redisUri) + "': "
                    + e.getMessage());
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
            throw new InvalidArgumentException("invalid Redis URI '" + Target.withoutPassword(redisUri)
                    + "': expected redis://host:port (or rediss://, redis-socket://)");
        }
    }
}
