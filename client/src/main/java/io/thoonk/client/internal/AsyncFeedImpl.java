package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncFeed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Published;
import io.thoonk.contract.Script;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

final class AsyncFeedImpl extends ItemObjectSupport implements AsyncFeed {

    AsyncFeedImpl(DefaultThoonk thoonk, String name, io.thoonk.client.Durability durability) {
        super(thoonk, name, ObjectType.FEED, durability);
    }

    @Override
    public CompletableFuture<Published> publish(String item) {
        return coalesce(UUID.randomUUID().toString(), item(item));
    }

    @Override
    public CompletableFuture<Published> publish(String item, String id) {
        return coalesce(Names.id(id), item(item));
    }

    private CompletableFuture<Published> coalesce(String id, String item) {
        return waiting(thoonk.publishCoalescer().publish(name, id, item, durability, this::publishBatch))
                .thenApply(rev -> published(id, rev));
    }

    /** One script call for publishes coalesced by {@link PublishCoalescer}; answers their revisions. */
    private CompletableFuture<List<Long>> publishBatch(List<PublishCoalescer.Pending> batch) {
        String[] args = new String[1 + 2 * batch.size()];
        args[0] = "publish";
        for (int i = 0; i < batch.size(); i++) {
            args[1 + 2 * i] = batch.get(i).id();
            args[2 + 2 * i] = batch.get(i).item();
        }
        return write(Script.FEED, ScriptOutputType.MULTI, null, null, -1, args);
    }

    @Override
    public CompletableFuture<Published> edit(String id, String item) {
        return change("edit", Names.id(id), item(item), -1);
    }

    @Override
    public CompletableFuture<Published> edit(String id, String item, long expectedRevision) {
        Names.revision(expectedRevision);
        return change("edit", Names.id(id), item(item), expectedRevision);
    }

    private CompletableFuture<Published> change(String op, String id, String item, long expected) {
        return inTurn(() -> this.<Long>write(Script.FEED, ScriptOutputType.INTEGER, id, null, expected,
                op, id, item, expected(expected))).thenApply(rev -> published(id, rev));
    }

    @Override
    public CompletableFuture<Boolean> retract(String id) {
        return retract(id, -1);
    }

    @Override
    public CompletableFuture<Boolean> retract(String id, long expectedRevision) {
        Names.id(id);
        return inTurn(() -> this.<Long>write(Script.FEED, ScriptOutputType.INTEGER, id, null, expectedRevision,
                "retract", id, "", expected(expectedRevision))).thenApply(rev -> rev > 0);
    }

    /** Runs an edit or retract after the publishes to this feed made before it (see {@link PublishCoalescer}). */
    private CompletableFuture<Long> inTurn(Supplier<CompletableFuture<Long>> write) {
        return waiting(thoonk.publishCoalescer().write(name, write));
    }

    /** A write waiting in the feed's lane gets the call's deadline too (and is then never sent). */
    private CompletableFuture<Long> waiting(CompletableFuture<Long> write) {
        return thoonk.within(write, thoonk.options().commandTimeout(), name, team);
    }
}
