package io.thoonk.cli;

import io.thoonk.client.Position;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 *
 * <p>Start-up is kept short for the one-shot data commands: only the command group named on the
 * command line is built (picocli reflects over every registered command, and the admin, coordinator
 * and dev groups reach gRPC, ZooKeeper and the fixture library), and nothing is loaded before a
 * command needs it. The {@code thoonk} launcher adds class data sharing and a C1-only JIT on top.
 */
@Command(name = "thoonk",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ThoonkCli.Version.class,
        description = "Thoonk live objects (feeds, sorted feeds, queues, jobs) on Redis, sharded by team.")
public final class ThoonkCli {

    /**
     * Set by the launcher on the run that records the class data sharing archive: the run then also
     * loads what {@code --output json} needs, so that later runs in either format find it archived.
     */
    static final String TRAINING_PROPERTY = "thoonk.cds.training";

    /** The command groups by name, in the order of the help. */
    private static final Map<String, Class<?>> GROUPS = groups(FeedCommand.class, SortedCommand.class,
            QueueCommand.class, JobCommand.class, DemoCommand.class, AdminCommand.class, CoordinatorCommand.class,
            DevCommand.class);

    @Spec
    private CommandSpec spec;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text", scope = ScopeType.INHERIT,
            description = "text (default) or json: one JSON object per line.")
    private OutputFormat output;

    /** Where {@code --file -} reads an item from. */
    private final InputStream stdin;

    /** Standard input and output are a terminal (only when run from {@link #main}): progress is redrawn in place. */
    private boolean terminal;

    private ThoonkCli(InputStream stdin) {
        this.stdin = stdin;
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Also log what the libraries say (ZooKeeper, gRPC, Redis), with stack traces, to stderr.")
    void verbose(boolean verbose) {
        if (verbose) {
            Logging.verbose();
        }
    }

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        // Lettuce and Netty set up Java Flight Recorder events when JFR is present, which costs a
        // one-shot command some 60 ms; -Dio.lettuce.core.jfr=true -Dio.netty.jfr.enabled=true bring them back.
        System.getProperties().putIfAbsent("io.lettuce.core.jfr", "false");
        System.getProperties().putIfAbsent("io.netty.jfr.enabled", "false");
        CommandLine commandLine = commandLine(System.in, args);
        ((ThoonkCli) commandLine.getCommand()).terminal = System.console() != null;
        int exitCode = commandLine.execute(args);
        if (Boolean.getBoolean(TRAINING_PROPERTY)) {
            Printer.loadJson();
        }
        System.exit(exitCode);
    }

    /**
     * Runs the command line with the given output streams and returns the exit code; the process
     * keeps running. Used by tests and by anything embedding the CLI.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return execute(System.in, out, err, args);
    }

    /** {@link #execute(PrintWriter, PrintWriter, String...)} with {@code in} as standard input. */
    public static int execute(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = commandLine(in, args);
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine.execute(args);
    }

    /** A configured picocli command line with every command group, writing to stdout and stderr. */
    public static CommandLine commandLine() {
        return commandLine(System.in, GROUPS.values().toArray(Class<?>[]::new));
    }

    /**
     * A configured picocli command line for {@code args}: with only the command group they name,
     * or with every group when they name none (the top-level help, a mistyped group).
     */
    static CommandLine commandLine(InputStream stdin, String... args) {
        Class<?> group = GROUPS.get(groupName(args));
        return commandLine(stdin, group == null ? GROUPS.values().toArray(Class<?>[]::new) : new Class<?>[] {group});
    }

    private static CommandLine commandLine(InputStream stdin, Class<?>[] groups) {
        Logging.routeJul();
        ErrorHandler errors = new ErrorHandler();
        CommandLine commandLine = new CommandLine(new ThoonkCli(stdin));
        for (Class<?> group : groups) {
            commandLine.addSubcommand(group);
        }
        return commandLine
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, new Durations.Converter())
                .registerConverter(Position.class, new PositionConverter())
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors);
    }

    /** The first argument that is neither a top-level option nor the value of {@code --output}, or null. */
    private static String groupName(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--output")) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return args[i];
            }
        }
        return null;
    }

    private static Map<String, Class<?>> groups(Class<?>... groups) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> group : groups) {
            byName.put(group.getAnnotation(Command.class).name(), group);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** Where warnings and errors go (stderr). */
    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Whether a person is at a terminal (then commands may ask before acting). */
    boolean terminal() {
        return terminal;
    }

    /** Standard input, for items read with {@code --file -}, and answers to questions. */
    InputStream stdin() {
        return stdin;
    }

    /** A printer for results, in the format chosen with {@code --output}, on this command line's stdout. */
    Printer printer() {
        return new Printer(output, spec.commandLine().getOut(), terminal);
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
