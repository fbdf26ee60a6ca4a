package io.thoonk.contract;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;

import java.util.Locale;
import java.util.Objects;

/**
 * A Redis call of a team copy ({@link TeamCopier}) failed. Says which Redis it was sent to
 * ({@link #side()}), so a caller can name the shard, and keeps Redis' failure as its cause: a
 * {@link RedisCommandTimeoutException} for a call that did not answer in time, Lettuce's exception
 * for an error reply ({@code LOADING ...}, {@code NOREPLICAS ...}) or a lost connection.
 */
public final class TeamCopyException extends RedisException {

    /** Which Redis of a copy a call went to. */
    public enum Side {
        /** The Redis the team is copied from. */
        SOURCE,
        /** The Redis the team is copied to. */
        TARGET;

        /** {@code source} or {@code target}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Side side;

    /**
     * @param side  the Redis the failed call went to
     * @param cause Redis' failure
     */
    public TeamCopyException(Side side, RedisException cause) {
        super(message(Objects.requireNonNull(side, "side == null"), Objects.requireNonNull(cause, "cause == null")),
                cause);
        this.side = side;
    }

    private static String message(Side side, RedisException cause) {
        return "a Redis call to the " + side.word() + " of the team copy failed: "
                + (cause.getMessage() == null ? "no reason given" : cause.getMessage());
    }

    /** The Redis the failed call went to. */
    public Side side() {
        return side;
    }

    /** Redis' failure. */
    @Override
    public synchronized RedisException getCause() {
        return (RedisException) super.getCause();
    }
}
