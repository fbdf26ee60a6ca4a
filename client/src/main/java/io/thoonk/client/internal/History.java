package io.thoonk.client.internal;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.thoonk.client.Event;
import io.thoonk.contract.Keys;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Reads an object's history stream: the source of every replay. */
final class History {

    /** Entries read per XRANGE call. */
    private static final int BATCH = 512;

    private History() {
    }

    /** What a replay found: the events, and the first revision it wanted but the history lacked. */
    record Slice(List<Event> events, long current, long lostFrom, long lostUntil) {
        boolean lost() {
            return lostFrom > 0;
        }
    }

    /**
     * Events of {@code object} with revisions {@code from..to} (inclusive; {@code to < 0} = up to the
     * current revision), oldest first, reporting any leading part the bounded history no longer has.
     */
    static CompletableFuture<Slice> read(ShardConnection shard, String object, long from, long to) {
        long first = Math.max(1, from);
        CompletableFuture<Long> upTo = to >= 0 ? CompletableFuture.completedFuture(to)
                : shard.commands().get(Keys.revision(object)).toCompletableFuture()
                        .thenApply(v -> v == null ? 0L : Long.parseLong(v));
        return upTo.thenCompose(last -> {
            if (last < first) {
                return CompletableFuture.completedFuture(new Slice(List.of(), last, 0, 0));
            }
            List<Event> events = new ArrayList<>();
            return readBatches(shard, object, first, last, events).thenApply(v -> {
                long available = events.isEmpty() ? last + 1 : events.get(0).revision();
                return available > first
                        ? new Slice(events, last, first, available)
                        : new Slice(events, last, 0, 0);
            });
        });
    }

    private static CompletableFuture<Void> readBatches(ShardConnection shard, String object, long from, long to,
                                                       List<Event> into) {
        Range<String> range = Range.create(from + "-0", to + "-0");
        return shard.commands().xrange(Keys.history(object), range, Limit.create(0, BATCH)).toCompletableFuture()
                .thenCompose(entries -> {
                    long last = from - 1;
                    for (StreamMessage<String, String> entry : entries) {
                        last = EventCodec.revisionOf(entry);
                        Event e = EventCodec.decodeHistory(object, entry);
                        if (e != null) {
                            into.add(e);
                        }
                    }
                    if (entries.size() < BATCH || last >= to) {
                        return CompletableFuture.completedFuture(null);
                    }
                    return readBatches(shard, object, last + 1, to, into);
                });
    }
}
