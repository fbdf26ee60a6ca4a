package io.thoonk.client.internal;

import io.thoonk.client.AsyncFeed;
import io.thoonk.client.Feed;
import io.thoonk.client.Item;
import io.thoonk.client.Published;

import java.util.List;
import java.util.Optional;

final class BlockingFeed extends BlockingSupport<AsyncFeedImpl> implements Feed {

    BlockingFeed(AsyncFeedImpl async) {
        super(async);
    }

    @Override
    public AsyncFeed async() {
        return async;
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
    public boolean retract(String id, long expectedRevision) {
        return await(async.retract(id, expectedRevision));
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
