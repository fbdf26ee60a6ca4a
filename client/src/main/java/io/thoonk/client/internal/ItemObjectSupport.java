package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.Item;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Published;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Reads shared by feeds and sorted feeds (read.lua), which differ only in how ids are ordered. */
abstract class ItemObjectSupport extends ObjectSupport {

    ItemObjectSupport(DefaultThoonk thoonk, String name, ObjectType type, io.thoonk.client.Durability durability) {
        super(thoonk, name, type, durability);
    }

    public abstract CompletableFuture<Published> edit(String id, String item);

    public abstract CompletableFuture<Published> edit(String id, String item, long expectedRevision);

    public abstract CompletableFuture<Boolean> retract(String id);

    public CompletableFuture<Optional<Item>> get(String id) {
        Names.id(id);
        return this.<List<Object>>read(ScriptOutputType.MULTI, "get", id).thenApply(r -> itemOf(id, r));
    }

    public CompletableFuture<List<String>> ids() {
        return this.<List<Object>>read(ScriptOutputType.MULTI, "ids", null).thenApply(ObjectSupport::strings);
    }

    public CompletableFuture<List<Item>> all() {
        return this.<List<Object>>read(ScriptOutputType.MULTI, "all", null).thenApply(ObjectSupport::itemsOf);
    }
}
