package io.thoonk.client.internal;

import io.thoonk.client.AsyncSortedFeed;
import io.thoonk.client.Position;
import io.thoonk.client.Published;
import io.thoonk.client.SortedFeed;

final class BlockingSortedFeed extends BlockingItemSupport<AsyncSortedFeedImpl> implements SortedFeed {

    BlockingSortedFeed(AsyncSortedFeedImpl async) {
        super(async);
    }

    @Override
    public AsyncSortedFeed async() {
        return async;
    }

    @Override
    public SortedFeed withDurability(io.thoonk.client.Durability durability) {
        return new BlockingSortedFeed(new AsyncSortedFeedImpl(async.thoonk, async.name, durability));
    }

    @Override
    public Published append(String item) {
        return await(async.append(item));
    }

    @Override
    public Published prepend(String item) {
        return await(async.prepend(item));
    }

    @Override
    public Published publishBefore(String beforeId, String item) {
        return await(async.publishBefore(beforeId, item));
    }

    @Override
    public Published publishAfter(String afterId, String item) {
        return await(async.publishAfter(afterId, item));
    }

    @Override
    public Published move(String id, Position to) {
        return await(async.move(id, to));
    }
}
