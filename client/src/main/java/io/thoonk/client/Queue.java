package io.thoonk.client;

import java.time.Duration;
import java.util.Optional;

/**
 * A FIFO queue: normal items come out in the order they were put; high-priority items come out
 * before all of them. Taking an item pops, reads and deletes it in one atomic step.
 */
public interface Queue extends LiveObject {

    AsyncQueue async();

    /**
     * A view of this object whose writes are acknowledged with {@code durability} instead of the
     * client's {@link ThoonkOptions#durability()}; this view is unchanged. Cheap: share or discard it.
     */
    Queue withDurability(Durability durability);

    Published put(String item);

    Published put(String item, Priority priority);

    /** Takes the next item, waiting up to {@code timeout}; empty if none came. */
    Optional<String> get(Duration timeout);

    /** Items waiting. */
    long size();
}
