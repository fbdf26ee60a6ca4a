package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncSortedFeed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Position;
import io.thoonk.client.Published;
import io.thoonk.contract.Script;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

final class AsyncSortedFeedImpl extends ItemObjectSupport implements AsyncSortedFeed {

    AsyncSortedFeedImpl(DefaultThoonk thoonk, String name, io.thoonk.client.Durability durability) {
        super(thoonk, name, ObjectType.SORTED_FEED, durability);
    }

    @Override
    public CompletableFuture<Published> append(String item) {
        return change("append", "", item(item), "", -1, "");
    }

    @Override
    public CompletableFuture<Published> prepend(String item) {
        return change("prepend", "", item(item), "", -1, "");
    }

    @Override
    public CompletableFuture<Published> publishBefore(String beforeId, String item) {
        return change("before", "", item(item), Names.id(beforeId), -1, "");
    }

    @Override
    public CompletableFuture<Published> publishAfter(String afterId, String item) {
        return change("after", "", item(item), Names.id(afterId), -1, "");
    }

    @Override
    public CompletableFuture<Published> move(String id, Position to) {
        Names.id(id);
        Objects.requireNonNull(to, "to == null");
        if (to instanceof Position.Before before) {
            return change("move", id, "", Names.id(before.id()), -1, "before");
        }
        if (to instanceof Position.After after) {
            return change("move", id, "", Names.id(after.id()), -1, "after");
        }
        return change("move", id, "", "", -1, to == Position.begin() ? "begin" : "end");
    }

    @Override
    public CompletableFuture<Published> edit(String id, String item) {
        return change("edit", Names.id(id), item(item), "", -1, "");
    }

    @Override
    public CompletableFuture<Published> edit(String id, String item, long expectedRevision) {
        Names.revision(expectedRevision);
        return change("edit", Names.id(id), item(item), "", expectedRevision, "");
    }

    @Override
    public CompletableFuture<Boolean> retract(String id) {
        return change("retract", Names.id(id), "", "", -1, "").thenApply(p -> p.revision() > 0);
    }

    private CompletableFuture<Published> change(String op, String id, String item, String relative, long expected,
                                                String target) {
        return this.<List<Object>>write(Script.SORTED_FEED, ScriptOutputType.MULTI, id, relative, expected,
                op, id, item, relative, expected(expected), target)
                .thenApply(r -> published((String) r.get(0), (Long) r.get(1)));
    }
}
