package io.thoonk.client;

import java.util.List;
import java.util.Optional;

/**
 * A manually ordered feed. Ids are generated integers; every insert or move is announced with a
 * contract position ({@link Position}).
 */
public interface SortedFeed extends LiveObject {

    AsyncSortedFeed async();

    /**
     * A view of this object whose writes are acknowledged with {@code durability} instead of the
     * client's {@link ThoonkOptions#durability()}; this view is unchanged. Cheap: share or discard it.
     */
    SortedFeed withDurability(Durability durability);

    /** Adds an item at the end. */
    Published append(String item);

    /** Adds an item at the beginning. */
    Published prepend(String item);

    /** Adds an item just before {@code beforeId}. @throws NoSuchItemException if it does not exist */
    Published publishBefore(String beforeId, String item);

    /** Adds an item just after {@code afterId}. @throws NoSuchItemException if it does not exist */
    Published publishAfter(String afterId, String item);

    /** Moves an item. @throws NoSuchItemException if either id is unknown */
    Published move(String id, Position to);

    Published edit(String id, String item);

    /** @throws ConflictException if the item is no longer at {@code expectedRevision} */
    Published edit(String id, String item, long expectedRevision);

    boolean retract(String id);

    Optional<Item> get(String id);

    /** Ids in display order. */
    List<String> ids();

    /** Items in display order. */
    List<Item> all();
}
