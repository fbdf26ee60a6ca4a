package io.thoonk.client.internal;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.client.AsyncQueue;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Priority;
import io.thoonk.client.Published;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

final class AsyncQueueImpl extends ObjectSupport implements AsyncQueue {

    AsyncQueueImpl(DefaultThoonk thoonk, String name, io.thoonk.client.Durability durability) {
        super(thoonk, name, ObjectType.QUEUE, durability);
    }

    @Override
    public CompletableFuture<Published> put(String item) {
        return put(item, Priority.NORMAL);
    }

    @Override
    public CompletableFuture<Published> put(String item, Priority priority) {
        Objects.requireNonNull(priority, "priority == null");
        String id = UUID.randomUUID().toString();
        return this.<Long>write(Script.QUEUE, ScriptOutputType.INTEGER, id, null, -1,
                "put", id, item(item), priority == Priority.HIGH ? "high" : "")
                .thenApply(rev -> published(id, rev));
    }

    @Override
    public CompletableFuture<Optional<String>> get(Duration timeout) {
        return BlockingTake.take(this, Keys.ids(name), timeout, this::takeNow);
    }

    private CompletableFuture<Optional<String>> takeNow(ShardCall.GiveUp giveUp) {
        return this.<List<Object>>take(giveUp, Script.QUEUE, ScriptOutputType.MULTI, "take", "", "", "")
                .thenApply(r -> isNil(r) ? Optional.empty() : Optional.of((String) r.get(1)));
    }

    @Override
    public CompletableFuture<Long> size() {
        return read(ScriptOutputType.INTEGER, "length", null);
    }
}
