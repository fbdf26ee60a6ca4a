package io.thoonk.client;

/**
 * A Redis node refused the client's credentials ({@code WRONGPASS}: a wrong password or user), or
 * wanted some and got none ({@code NOAUTH}). Give them once with
 * {@link ThoonkOptions.Builder#redisCredentials} (every shard connection uses them), or as the
 * password of the URI given to {@link Thoonk#connect(String, ThoonkOptions)}
 * ({@code redis://:password@host:port}). Thrown at once, never retried or turned into a timeout:
 * the same credentials cannot succeed on a second try. Nothing was read or written.
 */
public final class RedisAuthenticationException extends ThoonkException {

    private final String redis;

    /**
     * @param redis            the node, {@code host:port}
     * @param reply            what it answered, e.g. {@code WRONGPASS invalid username-password pair ...}
     * @param credentialsGiven whether the client sent credentials
     */
    public RedisAuthenticationException(String redis, String reply, boolean credentialsGiven, Throwable cause) {
        super("Redis at " + redis + " refused the credentials: " + reply + (credentialsGiven
                ? " (check ThoonkOptions.redisCredentials, or the password in the Redis URI)"
                : " (none were given: set ThoonkOptions.redisCredentials, or a password in the Redis URI)"), cause);
        this.redis = redis;
    }

    /** The node that refused them, {@code host:port} (or the socket path). */
    public String redis() {
        return redis;
    }
}
