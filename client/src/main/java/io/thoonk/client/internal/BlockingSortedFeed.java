package io.thoonk.client.internal;

import io.thoonk.client.AsyncSortedFeed;
import io.thoonk.client.Item;
import io.thoonk.client.Position;
import io.thoonk.client.Published;
import io.thoonk.client.SortedFeed;

import java.util.List;
import java.util.Optional;

final class BlockingSortedFeed extends BlockingSupport<AsyncSortedFeedImpl> implements SortedFeed {

    BlockingSortedFeed(AsyncSortedFeedImpl async) {
        super(async);
    }

    @Override
    public AsyncSortedFeed async() {
        return async;
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

    @Override
    public Published edit(String id, String item) {
        return await(async.edit(id, item));
    }

    @Override
    public Published edit(String id, String item, long expectedRevision) {
        return await(async.edit(id, item, expectedRevision));
    }

    @Override
    public boolean retract(String id) {
        return await(async.retract(id));
    }

    @Override
    public Optional<Item> get(String id) {
        return await(async.get(id));
    }

    @Override
    public List<String> ids() {
        return await(async.ids());
    }

    @Override
    public List<Item> all() {
        return await(async.all());
    }
}
