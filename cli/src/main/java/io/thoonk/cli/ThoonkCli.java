package io.thoonk.cli;

import io.thoonk.client.Position;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;

/**
 * The {@code thoonk} command line: feeds, sorted feeds, queues and jobs from a shell, a demo, the
 * cluster's admin commands, a coordinator, and a whole local cluster for development.
 *
 * <p>Every data command takes {@code --redis URI} or {@code --coordinator HOST:PORT,...} (see
 * {@link ConnectionOptions}), every admin command {@code --coordinator HOST:PORT,...} (see
 * {@link CoordinatorOptions}); without them, commands use the running {@code thoonk dev}
 * ({@link Target}). Every command takes {@code --output text|json} and {@code --verbose}
 * ({@link Logging}). Results go to stdout, errors to stderr as {@code thoonk: message} with exit
 * code 2 for bad usage or arguments and 1 for other failures ({@link ErrorHandler}).
 */
@Command(name = "thoonk",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ThoonkCli.Version.class,
        description = "Thoonk live objects (feeds, sorted feeds, queues, jobs) on Redis, sharded by team.",
        subcommands = {FeedCommand.class, SortedCommand.class, QueueCommand.class, JobCommand.class,
                DemoCommand.class, AdminCommand.class, CoordinatorCommand.class, DevCommand.class})
public final class ThoonkCli {

    @Spec
    private CommandSpec spec;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", scope = ScopeType.INHERIT,
            description = "text (default) or json: one JSON object per line.")
    private OutputFormat output;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Also log what the libraries say (ZooKeeper, gRPC, Redis), with stack traces, to stderr.")
    void verbose(boolean verbose) {
        if (verbose) {
            Logging.verbose();
        }
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * Runs the command line with the given output streams and returns the exit code; the process
     * keeps running. Used by tests and by anything embedding the CLI.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = commandLine();
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    /** A configured picocli command line writing to stdout and stderr. */
    public static CommandLine commandLine() {
        Logging.routeJul();
        ErrorHandler errors = new ErrorHandler();
        return new CommandLine(new ThoonkCli())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, new Durations.Converter())
                .registerConverter(Position.class, new PositionConverter())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** A printer for results, in the format chosen with {@code --output}, on this command line's stdout. */
    Printer printer() {
        return new Printer(output, spec.commandLine().getOut());
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ThoonkCli.class.getPackage().getImplementationVersion();
            return new String[] {"thoonk " + (version == null ? "(development build)" : version)};
        }
    }
}
