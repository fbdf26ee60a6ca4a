package io.thoonk.client.internal;

import io.lettuce.core.StreamMessage;
import io.thoonk.client.Event;
import io.thoonk.contract.Keys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads an object's history stream: the source of every replay. Pages come from read.lua's
 * {@code history} op (one fenced script call per page: see {@link ObjectSupport#history}), so a
 * stale route is refused before anything of a shard the team left is read.
 */
final class History {

    /** Entries read per page (script call). */
    static final int BATCH = 512;

    private History() {
    }

    /** What a replay found: the events, and the first revision it wanted but the history lacked. */
    record Slice(List<Event> events, long current, long lostFrom, long lostUntil) {
        boolean lost() {
            return lostFrom > 0;
        }
    }

    /** One page of the history, as read.lua's {@code history} op answers it. */
    @FunctionalInterface
    interface Pages {
        /**
         * At most {@code count} entries with revisions {@code from..to} ({@code to < 0}: up to the
         * current revision): {@code [current revision, [[entry id, [field, value, ...]], ...]]}.
         */
        CompletableFuture<List<Object>> read(long from, long to, int count);
    }

    /**
     * Events of {@code object} with revisions {@code from..to} (inclusive; {@code to < 0} = up to the
     * revision current at the first page), oldest first, reporting any leading part the bounded
     * history no longer has. {@link Slice#current()} is the last revision asked for.
     */
    static CompletableFuture<Slice> read(String object, long from, long to, Pages pages) {
        long first = Math.max(1, from);
        List<Event> events = new ArrayList<>();
        return pages.read(first, to, BATCH).thenCompose(page -> {
            long last = to >= 0 ? to : (Long) page.get(0);
            if (last < first) {
                return CompletableFuture.completedFuture(new Slice(List.of(), last, 0, 0));
            }
            return more(object, page, first, last, pages, events).thenApply(v -> {
                long available = events.isEmpty() ? last + 1 : events.get(0).revision();
                return available > first
                        ? new Slice(events, last, first, available)
                        : new Slice(events, last, 0, 0);
            });
        });
    }

    /** Takes {@code page}'s entries, then reads the next page while the range is not exhausted. */
    private static CompletableFuture<Void> more(String object, List<Object> page, long from, long to, Pages pages,
                                                List<Event> into) {
        List<?> entries = (List<?>) page.get(1);
        long last = from - 1;
        for (Object entry : entries) {
            StreamMessage<String, String> message = message(object, (List<?>) entry);
            last = EventCodec.revisionOf(message);
            Event e = EventCodec.decodeHistory(object, message);
            if (e != null) {
                into.add(e);
            }
        }
        if (entries.size() < BATCH || last >= to) {
            return CompletableFuture.completedFuture(null);
        }
        long next = last + 1;
        return pages.read(next, to, BATCH).thenCompose(p -> more(object, p, next, to, pages, into));
    }

    /** An XRANGE entry {@code [id, [field, value, ...]]} from a script's reply. */
    private static StreamMessage<String, String> message(String object, List<?> entry) {
        List<?> fields = (List<?>) entry.get(1);
        Map<String, String> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            body.put((String) fields.get(i), (String) fields.get(i + 1));
        }
        return new StreamMessage<>(Keys.history(object), (String) entry.get(0), body);
    }
}
