package io.thoonk.testing;

/**
 * Thrown when no {@code redis-server} binary can be found. The message says how to install one,
 * because the tests of every module, {@code thoonk dev} and {@code thoonk demo} run real Redis
 * processes and cannot do without it.
 */
public final class RedisServerNotFoundException extends FixtureException {

    RedisServerNotFoundException(String message) {
        super(message);
    }
}
