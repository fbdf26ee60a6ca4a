package io.thoonk.cli;

import io.thoonk.client.Feed;
import io.thoonk.client.NoSuchItemException;
import io.thoonk.cli.Views.Id;
import io.thoonk.cli.Views.ItemView;
import io.thoonk.cli.Views.Removed;
import io.thoonk.cli.Views.Written;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code thoonk feed ...}: items in publish order, each under an id. */
@Command(name = "feed", description = "Publish to, read and follow a feed (items in publish order).",
        subcommands = SubscribeCommand.class)
final class FeedCommand extends ObjectCommands {

    @Command(name = "publish", description = "Publishes an item; with --id, an existing item under that id is replaced.")
    int publish(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
                @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
                @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file,
                @Option(names = "--id", description = "The item's id (default: a generated UUID).") String id) {
        String content = content(ITEM, item, file);
        return print(thoonk -> {
            Feed feed = thoonk.feed(name);
            return Written.of(name, "published", id == null ? feed.publish(content) : feed.publish(content, id));
        });
    }

    @Command(name = "edit", description = "Replaces an existing item.")
    int edit(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
             @Parameters(paramLabel = "ID", description = "The item's id.") String id,
             @Parameters(paramLabel = ITEM, arity = "0..1", description = "The new content.") String item,
             @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file,
             @Option(names = "--expect-revision", paramLabel = "N",
                     description = "Only if the item is still at revision N (0: only if it does not exist yet).")
             Long expectedRevision) {
        String content = content(ITEM, item, file);
        return print(thoonk -> {
            Feed feed = thoonk.feed(name);
            return Written.of(name, "edited",
                    expectedRevision == null ? feed.edit(id, content) : feed.edit(id, content, expectedRevision));
        });
    }

    @Command(name = "retract", description = "Removes an item; fails if there is none with that id.")
    int retract(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
                @Parameters(paramLabel = "ID", description = "The item's id.") String id) {
        return print(thoonk -> Removed.of(name, id, thoonk.feed(name).retract(id)));
    }

    @Command(name = "get", description = "Prints one item.")
    int get(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
            @Parameters(paramLabel = "ID", description = "The item's id.") String id) {
        return print(thoonk -> thoonk.feed(name).get(id).map(item -> ItemView.of(name, item))
                .orElseThrow(() -> new NoSuchItemException(name, id)));
    }

    @Command(name = "ids", description = "Prints the item ids, oldest first.")
    int ids(@Parameters(paramLabel = NAME, description = NAME_HELP) String name) {
        return printAll(thoonk -> thoonk.feed(name).ids().stream().map(id -> new Id(name, id)).toList());
    }

    @Command(name = "all", description = "Prints every item, oldest first.")
    int all(@Parameters(paramLabel = NAME, description = NAME_HELP) String name) {
        return printAll(thoonk -> thoonk.feed(name).all().stream().map(item -> ItemView.of(name, item)).toList());
    }
}
