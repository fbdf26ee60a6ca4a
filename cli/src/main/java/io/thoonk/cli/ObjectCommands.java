package io.thoonk.cli;

import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkTimeoutException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Base of the command groups for one object type ({@code feed}, {@code sorted}, {@code queue},
 * {@code job}). It holds the {@link ConnectionOptions}, inherited by every subcommand, and runs each
 * subcommand against a freshly opened client that is closed afterwards.
 */
abstract class ObjectCommands {

    /** Label and description of the NAME parameter, the same in every subcommand. */
    static final String NAME = "NAME";
    static final String NAME_HELP = "The object's full name, e.g. team:353:news.";

    @ParentCommand
    private ThoonkCli cli;

    @Mixin
    private ConnectionOptions connection;

    /** Opens a client, runs {@code action} with it and a printer, closes the client; exit code 0. */
    int session(BiConsumer<Thoonk, Printer> action) {
        Printer printer = cli.printer();
        try (Thoonk thoonk = connection.open()) {
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

    /** The failure of a take that found nothing, e.g. "no item in queue 'q' within 5s". */
    static ThoonkTimeoutException nothingWithin(String what, String name, Duration timeout) {
        return new ThoonkTimeoutException("no " + what + " '" + name + "' within " + Durations.format(timeout));
    }
}
