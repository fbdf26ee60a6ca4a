package io.thoonk.contract;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What every party that connects to a shard's Redis nodes (coordinators, routing clients, the CLI)
 * authenticates with: a Redis ACL user and its password, or none. A password alone is the
 * {@value #DEFAULT_USER} user's, which is what {@code requirepass} sets.
 *
 * <p>Why here: coordinators and clients must agree on how credentials reach Redis and on which
 * replies mean the credentials were refused ({@link #refusal}); this module is the one both use.
 *
 * <p>Credentials are always sent with the user's name ({@code HELLO 3 AUTH user pass}, or
 * {@code AUTH user pass} on RESP2), so a node that has no password (the default user without one)
 * takes them too, and turning authentication on node by node does not lock anyone out.
 *
 * <p>Immutable and thread-safe; holds a copy of the password. {@link #toString()} never shows the
 * password, so configurations that hold credentials can be logged.
 */
public final class RedisCredentials {

    /** The user a password alone authenticates as (Redis' {@code requirepass} user). */
    public static final String DEFAULT_USER = "default";

    private static final RedisCredentials NONE = new RedisCredentials(null, null);
    /** The first word of the replies that mean a node refused the credentials (or wanted some). */
    private static final List<String> REFUSALS = List.of("NOAUTH", "WRONGPASS", "ERR AUTH", "ERR invalid password",
            "ERR Client sent AUTH");

    private final String username;
    private final char[] password;

    private RedisCredentials(String username, char[] password) {
        this.username = username;
        this.password = password;
    }

    /** No credentials: for Redis nodes without a password. */
    public static RedisCredentials none() {
        return NONE;
    }

    /** The {@value #DEFAULT_USER} user's password ({@code requirepass}); the array is copied. */
    public static RedisCredentials password(char[] password) {
        return of(DEFAULT_USER, password);
    }

    /**
     * A Redis ACL user and its password; the array is copied.
     *
     * @throws IllegalArgumentException when the user name is empty or has white space, or the password is empty
     */
    public static RedisCredentials of(String username, char[] password) {
        Objects.requireNonNull(username, "username == null");
        Objects.requireNonNull(password, "password == null");
        if (username.isEmpty() || username.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a Redis user name is non-empty and has no white space, was '"
                    + username + "'");
        }
        if (password.length == 0) {
            throw new IllegalArgumentException("the Redis password of user '" + username + "' is empty; for no "
                    + "authentication use RedisCredentials.none()");
        }
        return new RedisCredentials(username, password.clone());
    }

    /** Whether there are credentials to send. */
    public boolean isPresent() {
        return password != null;
    }

    /** The user authenticated as; empty for {@link #none()}. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** Puts these credentials (none: nothing) on a connection's URI. */
    public RedisURI.Builder applyTo(RedisURI.Builder uri) {
        return isPresent() ? uri.withAuthentication(username, password) : uri;
    }

    /**
     * The node's reply when {@code error} (or one of its causes) says that a Redis node refused the
     * credentials given, or wanted some and got none: {@code WRONGPASS ...}, {@code NOAUTH ...}, and
     * the older servers' {@code ERR invalid password}. Empty for any other failure.
     */
    public static Optional<String> refusal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException && t.getMessage() != null) {
                String reply = t.getMessage().trim();
                if (REFUSALS.stream().anyMatch(reply::startsWith)) {
                    return Optional.of(reply);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisCredentials other && Objects.equals(username, other.username)
                && Arrays.equals(password, other.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(username, Arrays.hashCode(password));
    }

    /** {@code RedisCredentials[none]} or {@code RedisCredentials[user=default, password=****]}: never the password. */
    @Override
    public String toString() {
        return isPresent() ? "RedisCredentials[user=" + username + ", password=****]" : "RedisCredentials[none]";
    }
}
