package io.thoonk.client.internal;

import io.thoonk.client.AsyncQueue;
import io.thoonk.client.Priority;
import io.thoonk.client.Published;
import io.thoonk.client.Queue;

import java.time.Duration;
import java.util.Optional;

final class BlockingQueue extends BlockingSupport<AsyncQueueImpl> implements Queue {

    BlockingQueue(AsyncQueueImpl async) {
        super(async);
    }

    @Override
    public AsyncQueue async() {
        return async;
    }

    @Override
    public Queue withDurability(io.thoonk.client.Durability durability) {
        return new BlockingQueue(new AsyncQueueImpl(async.thoonk, async.name, durability));
    }

    @Override
    public Published put(String item) {
        return await(async.put(item));
    }

    @Override
    public Published put(String item, Priority priority) {
        return await(async.put(item, priority));
    }

    @Override
    public Optional<String> get(Duration timeout) {
        return awaitTake(async.get(timeout), timeout);
    }

    @Override
    public long size() {
        return await(async.size());
    }
}
