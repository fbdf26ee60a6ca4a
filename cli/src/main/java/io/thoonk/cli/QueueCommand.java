package io.thoonk.cli;

import io.thoonk.client.Priority;
import io.thoonk.cli.Views.Taken;
import io.thoonk.cli.Views.Written;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;

/** {@code thoonk queue ...}: a FIFO queue with a high-priority lane. */
@Command(name = "queue", description = "Put items on and take them off a queue.")
final class QueueCommand extends ObjectCommands {

    @Command(name = "put", description = "Adds an item at the back (with --high: at the front).")
    int put(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
            @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
            @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file,
            @Option(names = "--high", description = "Taken before every normal item.") boolean high) {
        String content = content(ITEM, item, file);
        return print(thoonk -> Written.of(name, "queued",
                thoonk.queue(name).put(content, high ? Priority.HIGH : Priority.NORMAL)));
    }

    @Command(name = "get", description = "Takes the next item and prints it; fails if none comes within the timeout.")
    int get(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
            @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
                    description = "How long to wait for an item, e.g. 500ms, 5s, 2m (default: ${DEFAULT-VALUE}).")
            Duration timeout) {
        return print(thoonk -> new Taken(name, thoonk.queue(name).get(timeout)
                .orElseThrow(() -> nothingWithin("item in queue", name, timeout))));
    }
}
