package io.thoonk.client.internal;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.LiveObject;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Subscription;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Blocking views: each call waits for its asynchronous twin, which ends by itself at the command timeout. */
abstract class BlockingSupport<A extends ObjectSupport> implements LiveObject {

    final A async;

    BlockingSupport(A async) {
        this.async = async;
    }

    <T> T await(CompletionStage<T> stage) {
        return Await.awaitCall(stage, async.thoonk.options().commandTimeout());
    }

    /** For a blocking take of {@code timeout}, which ends by itself at {@link BlockingTake#backstop}. */
    <T> T awaitTake(CompletionStage<T> stage, Duration timeout) {
        return Await.awaitCall(stage, BlockingTake.backstop(async, timeout));
    }

    /** For calls that may wait {@code extra} by design. */
    <T> T await(CompletionStage<T> stage, Duration extra) {
        return Await.awaitCall(stage, async.thoonk.options().commandTimeout().plus(extra));
    }

    @Override
    public String name() {
        return async.name();
    }

    @Override
    public ObjectType type() {
        return async.type();
    }

    @Override
    public long revision() {
        return await(async.revision());
    }

    @Override
    public List<Event> replay(long fromRevision) {
        return await(async.replay(fromRevision));
    }

    @Override
    public Subscription subscribe(EventListener listener) {
        return async.thoonk.subscribe(name(), listener);
    }

    @Override
    public Subscription subscribe(long fromRevision, EventListener listener) {
        return async.thoonk.subscribe(name(), fromRevision, listener);
    }

    @Override
    public String toString() {
        return type().contractName() + "[" + name() + "]";
    }
}
