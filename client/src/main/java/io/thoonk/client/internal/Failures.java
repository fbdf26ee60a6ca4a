package io.thoonk.client.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.thoonk.client.ConflictException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.JobStateException;
import io.thoonk.client.NoSuchItemException;
import io.thoonk.client.NoSuchObjectException;
import io.thoonk.client.ObjectType;
import io.thoonk.client.RedisAuthenticationException;
import io.thoonk.client.TeamFencedException;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.client.WrongTypeException;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.proto.ConnectionFailures;

import java.util.concurrent.CompletionException;

/**
 * Maps Redis and script errors to the client's exception types: the only place that reads error
 * text. Script errors are {@code CODE data...} (see common.lua).
 */
final class Failures {

    private Failures() {
    }

    /** What the failing call was about, to word the exception. */
    record Context(String object, ObjectType type, String team, String id, String relativeId, long expectedRevision) {
    }

    static CompletionException translate(Throwable error, Context context) {
        return new CompletionException(exception(Await.unwrap(error), context));
    }

    static ThoonkException exception(Throwable e, Context c) {
        if (e instanceof ThoonkException t) {
            return t;
        }
        if (e instanceof RedisCommandExecutionException r && r.getMessage() != null) {
            ThoonkException mapped = scriptError(r.getMessage(), c);
            if (mapped != null) {
                return mapped;
            }
            return new ThoonkException("Redis refused the operation on '" + c.object() + "': " + r.getMessage(), r);
        }
        if (e instanceof java.util.concurrent.CancellationException) {
            return new ThoonkConnectionException("the connection to the Redis of '" + c.object() + "' was closed while"
                    + " the call was in flight (its shard's primary was replaced, or the client closed)", e);
        }
        if (e instanceof RedisCommandTimeoutException) {
            return new ThoonkTimeoutException("Redis did not answer in time for '" + c.object() + "': " + e.getMessage());
        }
        if (e instanceof RedisException && e.getMessage() != null
                && e.getMessage().startsWith("Request queue size exceeded")) {
            return new ThoonkConnectionException("too many calls are already waiting for the Redis of '" + c.object()
                    + "', which is not keeping up or not answering (ThoonkOptions.maxQueuedCalls): "
                    + e.getMessage(), e);
        }
        if (e instanceof RedisConnectionException || (e instanceof RedisException && !(e instanceof RedisCommandExecutionException))) {
            return new ThoonkConnectionException("lost the connection to Redis during an operation on '" + c.object()
                    + "': " + ConnectionFailures.tidyAddresses(e.getMessage()), e);
        }
        return new ThoonkException("operation on '" + c.object() + "' failed: " + e, e);
    }

    /** Replies of a Redis that is not (or no longer) a writable primary: a failover is under way. */
    private static final java.util.List<String> NOT_PRIMARY = java.util.List.of("READONLY", "NOREPLICAS", "LOADING",
            "MASTERDOWN", "UNBLOCKED");

    /**
     * Whether a call failed because its shard's primary is gone or changing (a failover), so that
     * it may succeed on the primary the directory names next: the connection was refused, closed or
     * reset, Redis did not answer in time, or the server said it is not a writable primary
     * ({@code READONLY}, {@code NOREPLICAS}, {@code LOADING}, {@code MASTERDOWN}, or {@code UNBLOCKED}: a
     * blocked {@code WAIT} or take that Redis released because the node became a replica, as in a
     * switchover; the retry carries the same request id, so a write applied before it is not applied
     * twice). Not: a refusal of
     * the call itself, a full request queue, a closed client, or no coordinator answering.
     */
    static boolean primaryUnavailable(Throwable error) {
        Throwable e = Await.unwrap(error);
        if (e instanceof RedisCommandExecutionException r) {
            String message = String.valueOf(r.getMessage());
            return NOT_PRIMARY.stream().anyMatch(message::startsWith);
        }
        if (e instanceof ThoonkConnectionException) {
            return causedByRedisConnection(e.getCause()); // a route whose connection could not be opened
        }
        return lostInFlight(e) || e instanceof RedisConnectionException;
    }

    /**
     * Whether a write that failed this way may have been applied: it was sent, and the connection
     * broke (or Redis stayed silent) before the answer came.
     */
    static boolean outcomeUnknown(Throwable error) {
        return lostInFlight(Await.unwrap(error));
    }

    private static boolean lostInFlight(Throwable e) {
        if (e instanceof RedisCommandTimeoutException || e instanceof java.util.concurrent.CancellationException
                || e instanceof java.io.IOException) {
            return true;
        }
        return e instanceof RedisException && !(e instanceof RedisCommandExecutionException)
                && !(e instanceof RedisConnectionException) && e.getMessage() != null
                && !e.getMessage().startsWith("Request queue size exceeded") && !e.getMessage().contains("shutdown")
                && (e.getMessage().contains("closed") || e.getMessage().contains("reset")
                || e.getMessage().contains("Connection") || e.getCause() instanceof java.io.IOException);
    }

    private static boolean causedByRedisConnection(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisConnectionException) { // not an IOException alone: a coordinator's failure has those too
                return true;
            }
        }
        return false;
    }

    /** {@code Redis at host:port} (or at its socket path), never with the URI's password. */
    static String redisAt(RedisURI uri) {
        return "Redis at " + address(uri);
    }

    /** {@code host:port} (or the socket path) of {@code uri}, never with its password. */
    static String address(RedisURI uri) {
        if (uri.getSocket() != null) {
            return uri.getSocket();
        }
        String host = uri.getHost().indexOf(':') >= 0 ? "[" + uri.getHost() + "]" : uri.getHost();
        return host + ":" + uri.getPort();
    }

    /**
     * A failure to open a connection ({@code what}, e.g. "connect to", "open a pub/sub connection
     * to") to the Redis at {@code uri}, in plain words: {@code cannot connect to Redis at
     * 127.0.0.1:6379: Connection refused}; a {@link RedisAuthenticationException} when the node
     * refused the credentials.
     */
    static ThoonkException cannotConnect(String what, RedisURI uri, Throwable error) {
        Throwable cause = Await.unwrap(error);
        java.util.Optional<String> refusal = RedisCredentials.refusal(cause);
        if (refusal.isPresent()) {
            return new RedisAuthenticationException(address(uri), refusal.get(), hasCredentials(uri), cause);
        }
        return new ThoonkConnectionException("cannot " + what + " " + redisAt(uri) + ": "
                + ConnectionFailures.reason(cause), cause);
    }

    /** Whether connections to {@code uri} send a password. */
    static boolean hasCredentials(RedisURI uri) {
        RedisCredentialsProvider provider = uri.getCredentialsProvider();
        if (provider instanceof RedisCredentialsProvider.ImmediateRedisCredentialsProvider immediate) {
            io.lettuce.core.RedisCredentials now = immediate.resolveCredentialsNow();
            return now != null && now.hasPassword();
        }
        return provider != null;
    }

    /** Whether a connection failed because the URI's database number does not exist on the server. */
    static boolean isMissingDatabase(Throwable error) {
        for (Throwable t = Await.unwrap(error); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RedisCommandExecutionException && t.getMessage() != null
                    && (t.getMessage().contains("DB index is out of range") || t.getMessage().contains("invalid DB index"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The URI's database does not exist: {@code Redis at 127.0.0.1:6379 has no database 20 (it has
     * 16: 0-15)}, given the server's {@code databases} setting, else with the server's own error.
     */
    static ThoonkConnectionException missingDatabase(RedisURI uri, String databasesSetting, Throwable error) {
        Throwable cause = Await.unwrap(error);
        String has;
        try {
            int count = Integer.parseInt(String.valueOf(databasesSetting).trim());
            has = "it has " + count + (count == 1 ? ": 0" : ": 0-" + (count - 1));
        } catch (NumberFormatException unknown) {
            has = ConnectionFailures.reason(cause);
        }
        return new ThoonkConnectionException(redisAt(uri) + " has no database " + uri.getDatabase() + " (" + has + ")",
                cause);
    }

    private static ThoonkException scriptError(String message, Context c) {
        int scriptInfo = message.indexOf(" script: ");
        String text = scriptInfo >= 0 ? message.substring(0, scriptInfo) : message;
        String[] words = text.trim().split(" ");
        String code = words[0];
        switch (code) {
            case "WRONGTYPE":
                if (words.length > 1) {
                    try {
                        return new WrongTypeException(c.object(), ObjectType.fromContractName(words[1]), c.type());
                    } catch (InvalidArgumentException notOurs) {
                        // a Redis-level WRONGTYPE (keys of another shape): fall through
                    }
                }
                return new ThoonkException("keys of '" + c.object() + "' do not have the layout of a "
                        + c.type().contractName() + ": " + text);
            case "NOSUCHITEM":
                boolean relative = words.length > 1 && words[1].equals("relative");
                return new NoSuchItemException(c.object(), relative ? c.relativeId() : c.id());
            case "NOSUCHOBJECT":
                return new NoSuchObjectException(c.object());
            case "CONFLICT":
                return new ConflictException(c.object(), c.id(), c.expectedRevision(), Long.parseLong(words[1]));
            case "FENCED":
                return new TeamFencedException(c.team(), words[1], Long.parseLong(words[2]));
            case "JOBSTATE":
                String problem = text.substring(text.indexOf(' ') + 1);
                return new JobStateException(c.object(), c.id(), switch (problem) {
                    case "exists" -> "already exists; use another id or retract it first";
                    case "not claimed" -> "is not claimed (it may have timed out, been finished or been cancelled)";
                    case "not stalled" -> "is not stalled; only stalled jobs can be retried";
                    default -> problem;
                });
            case "INVALID":
                return new InvalidArgumentException(text.substring(text.indexOf(' ') + 1));
            default:
                return null;
        }
    }
}
