package io.thoonk.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ObjectType;
import io.thoonk.client.ThoonkException;
import io.thoonk.client.WrongTypeException;
import io.thoonk.testing.FixtureException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Turns failures into one {@code thoonk: message} line on stderr and an exit code:
 * {@value #USAGE} for bad usage or a refused argument ({@link InvalidArgumentException}, gRPC
 * {@code INVALID_ARGUMENT}), {@value #FAILURE} for anything else. A {@link ThoonkException} or a
 * {@link FixtureException} (a local redis-server or ZooKeeper of {@code dev} / {@code demo} that does
 * not start) prints its message; a coordinator's refusal prints as
 * {@code thoonk: <gRPC code>: <description>}. Messages speak the CLI's words, not the API's
 * ({@link #forCli}); a stack trace is printed only for an unexpected error, and only with
 * {@code --verbose}.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    /** Exit code for bad usage and invalid arguments. */
    static final int USAGE = 2;
    /** Exit code for every other failure. */
    static final int FAILURE = 1;

    /** API words in messages of the client and the coordinators, and what a CLI user types instead. */
    private static final Map<String, String> API_WORDS = Map.of(
            "; see ListShards", "; list them with ./thoonk admin shards",
            "(Resolve places it)", "(./thoonk admin resolve places it)",
            "register one with AddShard", "register one with ./thoonk admin add-shard",
            " (ThoonkOptions.commandTimeout)", "",
            " (ThoonkOptions.maxQueuedCalls)", "",
            "(check ThoonkOptions.redisCredentials, or the password in the Redis URI)", "(check "
                    + RedisAuthOptions.PASSWORD_ENV + " or --redis-password-file, and " + RedisAuthOptions.USERNAME_ENV
                    + ")",
            "(none were given: set ThoonkOptions.redisCredentials, or a password in the Redis URI)", "(none were given: "
                    + "set " + RedisAuthOptions.PASSWORD_ENV + ", or use --redis-password-file FILE)");

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("thoonk: " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return USAGE;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        if (e instanceof WrongTypeException w) {
            return print(err, wrongType(w), FAILURE);
        }
        if (e instanceof ThoonkException || e instanceof FixtureException) {
            return print(err, forCli(e.getMessage()), e instanceof InvalidArgumentException ? USAGE : FAILURE);
        }
        if (e instanceof StatusRuntimeException s) {
            Status status = s.getStatus();
            return print(err, status.getCode() + ": " + forCli(describe(status)),
                    status.getCode() == Status.Code.INVALID_ARGUMENT ? USAGE : FAILURE);
        }
        err.println("thoonk: unexpected error: " + e);
        if (Logging.isVerbose()) {
            e.printStackTrace(err);
        } else {
            err.println("thoonk: run it again with --verbose for the stack trace");
        }
        err.flush();
        return FAILURE;
    }

    private static int print(PrintWriter err, String message, int exitCode) {
        err.println("thoonk: " + message);
        err.flush();
        return exitCode;
    }

    /** {@code message} with the API's words replaced by the CLI's. */
    static String forCli(String message) {
        String text = String.valueOf(message);
        for (Map.Entry<String, String> word : API_WORDS.entrySet()) {
            text = text.replace(word.getKey(), word.getValue());
        }
        return text;
    }

    /** An object used as another type: which command group handles it. */
    private static String wrongType(WrongTypeException w) {
        return "'" + w.object() + "' is a " + kind(w.actual()) + ", not a " + kind(w.requested()) + ": use ./thoonk "
                + group(w.actual()) + " ... with it, or another name";
    }

    private static String kind(ObjectType type) {
        return type == ObjectType.SORTED_FEED ? "sorted feed" : type == ObjectType.JOB ? "job queue" : type.contractName();
    }

    private static String group(ObjectType type) {
        return switch (type) {
            case FEED -> "feed";
            case SORTED_FEED -> "sorted";
            case QUEUE -> "queue";
            case JOB -> "job";
        };
    }

    private static String describe(Status status) {
        if (status.getDescription() != null) {
            return status.getDescription();
        }
        return status.getCause() != null ? String.valueOf(status.getCause().getMessage()) : "(no description)";
    }
}
