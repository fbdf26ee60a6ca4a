package io.thoonk.client.internal;

import io.thoonk.client.AsyncFeed;
import io.thoonk.client.Feed;
import io.thoonk.client.Published;

final class BlockingFeed extends BlockingItemSupport<AsyncFeedImpl> implements Feed {

    BlockingFeed(AsyncFeedImpl async) {
        super(async);
    }

    @Override
    public AsyncFeed async() {
        return async;
    }

    @Override
    public Feed withDurability(io.thoonk.client.Durability durability) {
        return new BlockingFeed(new AsyncFeedImpl(async.thoonk, async.name, durability));
    }

    @Override
    public Published publish(String item) {
        return await(async.publish(item));
    }

    @Override
    public Published publish(String item, String id) {
        return await(async.publish(item, id));
    }

    @Override
    public boolean retract(String id, long expectedRevision) {
        return await(async.retract(id, expectedRevision));
    }
}
