package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.Thoonk;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;

/**
 * Where the data lives, shared by every command that reads or writes objects: {@code --redis URI},
 * else the {@code THOONK_REDIS} environment variable, else {@value #DEFAULT_REDIS_URI}.
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

    /** Connects to {@link #redisUri()}. */
    public Thoonk open() {
        return open(redisUri());
    }

    /** Connects to {@code redisUri}, refusing a malformed URI with an {@link InvalidArgumentException}. */
    public static Thoonk open(String redisUri) {
        check(redisUri);
        try {
            return Thoonk.connect(redisUri);
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
