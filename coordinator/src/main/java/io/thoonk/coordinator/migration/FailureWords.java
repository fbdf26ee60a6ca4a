package io.thoonk.coordinator.migration;

import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.thoonk.contract.TeamCopyException;
import io.thoonk.proto.ConnectionFailures;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * A move's Redis failures in the words its outcome gives an operator: which shard (and node) and
 * what happened there, never a Java class name or a raw Lettuce message. The one place that maps
 * Redis' errors for moves.
 */
final class FailureWords {

    private FailureWords() {
    }

    /**
     * @param failure what a Redis call of the move threw (a {@link TeamCopyException} is read
     *                through to its cause)
     * @param shard   the shard the call went to
     * @param address its primary's {@code host:port}
     * @param timeout the call timeout
     */
    static String of(Throwable failure, String shard, String address, Duration timeout) {
        Throwable e = failure instanceof TeamCopyException copy ? copy.getCause() : failure;
        String where = "shard '" + shard + "' (" + address + ")";
        String message = e.getMessage() == null ? "" : e.getMessage().trim();
        if (e instanceof RedisCommandTimeoutException) {
            return "a Redis call to " + where + " did not answer within " + timeout.toMillis() + " ms";
        }
        if (e instanceof RedisCommandInterruptedException) {
            return "the move's thread was interrupted while it waited for " + where;
        }
        int space = message.indexOf(' ');
        String code = space < 0 ? message : message.substring(0, space);
        switch (code) {
            case "LOADING":
                return "the primary of " + where + " is loading its data (it restarted or is resyncing)";
            case "NOREPLICAS":
                return where + " refused writes: its replica is not acknowledging (min-replicas-to-write)";
            case "BUSY":
                return where + " is busy running a script and answers nothing else until it ends";
            case "READONLY":
                return where + " is no longer a primary (a change of primary may be under way)";
            case "OOM":
                return where + " is out of memory (maxmemory) and refuses writes";
            case "MISCONF":
                return where + " refuses writes because it cannot save its data to disk";
            case "NOPERM", "NOAUTH", "WRONGPASS":
                return where + " refused the coordinator's command (" + message + ")";
            default:
                break;
        }
        if (lostConnection(e)) {
            return "the connection to " + where + " failed (" + ConnectionFailures.reason(e) + ")";
        }
        return where + " answered: " + (message.isEmpty() ? "an error without a message" : message);
    }

    /** A failure that is no Redis call's: its message, and where to look for more. */
    static String unexpected(Throwable failure) {
        String message = failure.getMessage();
        return "an unexpected failure in the coordinator (" + (message == null || message.isBlank()
                ? "no message" : message) + "); the coordinator's log has the details";
    }

    private static boolean lostConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisConnectionException || t instanceof IOException) {
                return true;
            }
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("connection closed") || m.contains("not connected") || m.contains("connection reset")
                    || m.contains("broken pipe") || m.contains("connection refused")) {
                return true;
            }
        }
        return false;
    }
}
