package io.thoonk.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ThoonkException;
import io.thoonk.testing.FixtureException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;

/**
 * Turns failures into one {@code thoonk: message} line on stderr and an exit code:
 * {@value #USAGE} for bad usage or a refused argument ({@link InvalidArgumentException}, gRPC
 * {@code INVALID_ARGUMENT}), {@value #FAILURE} for anything else. A {@link ThoonkException} or a
 * {@link FixtureException} (a local redis-server or ZooKeeper of {@code dev} / {@code demo} that does
 * not start) prints its message; a coordinator's refusal prints as
 * {@code thoonk: <gRPC code>: <description>}.
 */
final class ErrorHandler implements IParameterExceptionHandler, IExecutionExceptionHandler {

    /** Exit code for bad usage and invalid arguments. */
    static final int USAGE = 2;
    /** Exit code for every other failure. */
    static final int FAILURE = 1;

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
        if (e instanceof ThoonkException || e instanceof FixtureException) {
            err.println("thoonk: " + e.getMessage());
            err.flush();
            return e instanceof InvalidArgumentException ? USAGE : FAILURE;
        }
        if (e instanceof StatusRuntimeException s) {
            Status status = s.getStatus();
            err.println("thoonk: " + status.getCode() + ": " + describe(status));
            err.flush();
            return status.getCode() == Status.Code.INVALID_ARGUMENT ? USAGE : FAILURE;
        }
        err.println("thoonk: unexpected error: " + e);
        e.printStackTrace(err);
        err.flush();
        return FAILURE;
    }

    private static String describe(Status status) {
        if (status.getDescription() != null) {
            return status.getDescription();
        }
        return status.getCause() != null ? String.valueOf(status.getCause().getMessage()) : "(no description)";
    }
}
