package io.thoonk.client.internal;

import io.thoonk.client.Item;
import io.thoonk.client.Published;

import java.util.List;
import java.util.Optional;

/** Blocking calls shared by feeds and sorted feeds. */
abstract class BlockingItemSupport<A extends ItemObjectSupport> extends BlockingSupport<A> {

    BlockingItemSupport(A async) {
        super(async);
    }

    public Published edit(String id, String item) {
        return await(async.edit(id, item));
    }

    public Published edit(String id, String item, long expectedRevision) {
        return await(async.edit(id, item, expectedRevision));
    }

    public boolean retract(String id) {
        return await(async.retract(id));
    }

    public Optional<Item> get(String id) {
        return await(async.get(id));
    }

    public List<String> ids() {
        return await(async.ids());
    }

    public List<Item> all() {
        return await(async.all());
    }
}
