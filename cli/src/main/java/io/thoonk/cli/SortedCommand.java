package io.thoonk.cli;

import io.thoonk.client.Position;
import io.thoonk.client.Published;
import io.thoonk.client.SortedFeed;
import io.thoonk.cli.Views.ItemView;
import io.thoonk.cli.Views.Removed;
import io.thoonk.cli.Views.Written;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.function.Function;

/** {@code thoonk sorted ...}: a manually ordered feed with generated integer ids. */
@Command(name = "sorted", description = "Edit, reorder, read and follow a sorted feed (manually ordered items).",
        subcommands = SubscribeCommand.class)
final class SortedCommand extends ObjectCommands {

    @Command(name = "append", description = "Adds an item at the end.")
    int append(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
               @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file) {
        String content = content(ITEM, item, file);
        return write(name, "appended", feed -> feed.append(content));
    }

    @Command(name = "prepend", description = "Adds an item at the beginning.")
    int prepend(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
                @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
                @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file) {
        String content = content(ITEM, item, file);
        return write(name, "prepended", feed -> feed.prepend(content));
    }

    @Command(name = "before", description = "Adds an item just before another.")
    int before(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
               @Parameters(paramLabel = "REL_ID", description = "The id to insert before.") String relativeId,
               @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
               @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file) {
        String content = content(ITEM, item, file);
        return write(name, "published", feed -> feed.publishBefore(relativeId, content));
    }

    @Command(name = "after", description = "Adds an item just after another.")
    int after(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
              @Parameters(paramLabel = "REL_ID", description = "The id to insert after.") String relativeId,
              @Parameters(paramLabel = ITEM, arity = "0..1", description = "The item's content.") String item,
              @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file) {
        String content = content(ITEM, item, file);
        return write(name, "published", feed -> feed.publishAfter(relativeId, content));
    }

    @Command(name = "move", description = "Moves an item.")
    int move(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
             @Parameters(paramLabel = "ID", description = "The item's id.") String id,
             @Parameters(paramLabel = "POSITION",
                     description = "begin: (first), :end (last), :X (just before X) or X: (just after X).")
             Position position) {
        return write(name, "moved", feed -> feed.move(id, position));
    }

    @Command(name = "edit", description = "Replaces an existing item's content.")
    int edit(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
             @Parameters(paramLabel = "ID", description = "The item's id.") String id,
             @Parameters(paramLabel = ITEM, arity = "0..1", description = "The new content.") String item,
             @Option(names = FILE, paramLabel = "PATH", description = FILE_HELP) String file) {
        String content = content(ITEM, item, file);
        return write(name, "edited", feed -> feed.edit(id, content));
    }

    @Command(name = "retract", description = "Removes an item; fails if there is none with that id.")
    int retract(@Parameters(paramLabel = NAME, description = NAME_HELP) String name,
                @Parameters(paramLabel = "ID", description = "The item's id.") String id) {
        return print(thoonk -> Removed.of(name, id, thoonk.sortedFeed(name).retract(id)));
    }

    @Command(name = "all", description = "Prints every item in display order.")
    int all(@Parameters(paramLabel = NAME, description = NAME_HELP) String name) {
        return printAll(thoonk -> thoonk.sortedFeed(name).all().stream()
                .map(item -> ItemView.of(name, item)).toList());
    }

    private int write(String name, String action, Function<SortedFeed, Published> change) {
        return print(thoonk -> Written.of(name, action, change.apply(thoonk.sortedFeed(name))));
    }
}
