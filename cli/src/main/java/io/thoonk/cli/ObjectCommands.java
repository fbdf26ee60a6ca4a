package io.thoonk.cli;

import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.client.ThoonkTimeoutException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Base of the command groups for one object type ({@code feed}, {@code sorted}, {@code queue},
 * {@code job}). It holds the {@link ConnectionOptions} and {@code --max-item-bytes}, inherited by
 * every subcommand, and runs each subcommand against a freshly opened client that is closed
 * afterwards. Items and payloads come as an argument or with {@code --file} ({@link ItemInput}).
 */
abstract class ObjectCommands {

    /** Label and description of the NAME parameter, the same in every subcommand. */
    static final String NAME = "NAME";
    static final String NAME_HELP = "The object's full name, e.g. team:353:news.";
    /** Label of the ITEM parameter of the write commands, which may come with --file instead. */
    static final String ITEM = "ITEM";
    static final String FILE = ItemInput.FILE_OPTION;
    static final String FILE_HELP = ItemInput.FILE_HELP;

    @ParentCommand
    private ThoonkCli cli;

    @Mixin
    private ConnectionOptions connection;

    @Option(names = "--max-item-bytes", paramLabel = "SIZE", scope = ScopeType.INHERIT, defaultValue = "1MiB",
            converter = ByteSizes.Converter.class,
            description = "Largest item, payload or result accepted, in bytes or with KiB, MiB: e.g. 4MiB "
                    + "(default: ${DEFAULT-VALUE}).")
    private long maxItemBytes;

    /** Opens a client, runs {@code action} with it and a printer, closes the client; exit code 0. */
    int session(BiConsumer<Thoonk, Printer> action) {
        Printer printer = cli.printer();
        try (Thoonk thoonk = connection.open(ThoonkOptions.builder().maxItemBytes(maxItemBytes).build())) {
            action.accept(thoonk, printer);
        }
        return 0;
    }

    /** Runs {@code action} and prints the view it returns. */
    int print(Function<Thoonk, ? extends View> action) {
        return session((thoonk, printer) -> printer.print(action.apply(thoonk)));
    }

    /** Runs {@code action} and prints each view it returns. */
    int printAll(Function<Thoonk, ? extends List<? extends View>> action) {
        return session((thoonk, printer) -> printer.printAll(action.apply(thoonk)));
    }

    /**
     * The content given as the argument labelled {@code label}, or with {@code --file} (exactly one),
     * within {@code --max-item-bytes}; read before anything connects.
     */
    String content(String label, String argument, String file) {
        return ItemInput.content(label, argument, file, maxItemBytes, cli.stdin());
    }

    /** The failure of a take that found nothing, e.g. "no item in queue 'q' within 5s". */
    static ThoonkTimeoutException nothingWithin(String what, String name, Duration timeout) {
        return new ThoonkTimeoutException("no " + what + " '" + name + "' within " + Durations.format(timeout));
    }
}
