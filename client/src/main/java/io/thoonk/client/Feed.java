package io.thoonk.client;

import java.util.List;
import java.util.Optional;

/**
 * A feed: items in publish order, each with an id, optionally capped at {@code max_length} items
 * (the oldest are dropped, and each drop is announced as a retract). Every change is one atomic
 * Redis script on the Thoonk contract's keys, announced on its channels.
 */
public interface Feed extends LiveObject {

    AsyncFeed async();

    /**
     * A view of this object whose writes are acknowledged with {@code durability} instead of the
     * client's {@link ThoonkOptions#durability()}; this view is unchanged. Cheap: share or discard it.
     */
    Feed withDurability(Durability durability);

    /** Publishes a new item under a generated id. */
    Published publish(String item);

    /** Publishes under {@code id}; if the id exists, this is an edit (the item becomes newest). */
    Published publish(String item, String id);

    /** Replaces an existing item. @throws NoSuchItemException if the id is unknown */
    Published edit(String id, String item);

    /**
     * Replaces an item only if it is still at {@code expectedRevision} (its {@link Item#revision()};
     * 0 means "must not exist yet", which makes this a create-if-absent).
     *
     * @throws ConflictException if the item changed since
     */
    Published edit(String id, String item, long expectedRevision);

    /** Removes an item; false if there was none. */
    boolean retract(String id);

    /** Removes an item only if it is still at {@code expectedRevision}. @throws ConflictException otherwise */
    boolean retract(String id, long expectedRevision);

    Optional<Item> get(String id);

    /** Ids, oldest first. */
    List<String> ids();

    /** Items, oldest first. */
    List<Item> all();
}
