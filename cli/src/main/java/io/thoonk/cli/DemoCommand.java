package io.thoonk.cli;

import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkException;
import io.thoonk.cli.Views.Note;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisServerNotFoundException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code thoonk demo}: a short narrated tour of feeds, sorted feeds and jobs with their live events.
 * Given a target ({@code --redis}, {@code --coordinator}, or their environment variables; see
 * {@link Target}) it first names the objects it will write there; without one it starts, and
 * afterwards stops, its own redis-server.
 */
@Command(name = "demo", description = {"Runs a short narrated tour of feeds, sorted feeds and jobs, printing "
        + "every event live.", "Without --redis or --coordinator (or $" + Target.REDIS_ENV + " / $"
        + Target.COORDINATOR_ENV + ") it runs its own redis-server on a free port; given one, it first names the "
        + "objects it will write there."})
final class DemoCommand implements Callable<Integer> {

    @ParentCommand
    private ThoonkCli cli;

    @Mixin
    private ConnectionOptions connection;

    @Override
    public Integer call() {
        Printer printer = cli.printer();
        Optional<Target> given = connection.givenTarget();
        if (given.isPresent()) {
            printer.print(new Note(DemoTour.writes(given.get().describe())));
            return tour(connection.open(), printer);
        }
        try (RedisProcess server = startRedis()) {
            printer.print(new Note("Started a throw-away redis-server at " + server.uri()));
            int code = tour(ConnectionOptions.open(new Target(server.uri(), List.of(), "the demo's own redis-server")),
                    printer);
            printer.print(new Note("Stopping redis-server"));
            return code;
        }
    }

    private static RedisProcess startRedis() {
        try {
            return RedisProcess.start();
        } catch (RedisServerNotFoundException e) {
            throw new ThoonkException(e.getMessage() + " Or pass --redis URI to use a running Redis.", e);
        }
    }

    private static int tour(Thoonk opened, Printer printer) {
        try (Thoonk thoonk = opened) {
            new DemoTour(thoonk, printer).run();
        }
        return 0;
    }
}
