package io.thoonk.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys of one object as a team copy sees them (see {@link TeamCopier}): those holding one entry
 * per item id ({@code itemKeys}: a change to an item is copied by copying that entry), and those
 * copied whole when the object changed ({@code wholeKeys}: counters, the config, lists, whose
 * order no single entry tells). The history is neither: it is appended to.
 *
 * <p>From the contract's keys per type ({@link Keys#specific}); an object of a type the contract
 * does not name (written by some other peer) has every data key copied whole.
 */
record ObjectShape(String name, List<ItemKey> itemKeys, List<String> wholeKeys) {

    /** How a key holds one entry per item id. */
    enum Kind { HASH, ZSET, SET }

    /** A key holding one entry per item id. */
    record ItemKey(String key, Kind kind) {
    }

    static ObjectShape of(String type, String name) {
        List<ItemKey> items = new ArrayList<>();
        List<String> whole = new ArrayList<>();
        whole.add(Keys.config(name));
        if (type == null) {
            whole.addAll(List.of(Keys.allData(name)));
        } else {
            switch (type) {
                case "feed" -> {
                    items.add(new ItemKey(Keys.ids(name), Kind.ZSET));
                    items.add(new ItemKey(Keys.items(name), Kind.HASH));
                    items.add(new ItemKey(Keys.itemRevisions(name), Kind.HASH));
                    whole.add(Keys.publishes(name));
                }
                case "sorted_feed" -> {
                    items.add(new ItemKey(Keys.items(name), Kind.HASH));
                    items.add(new ItemKey(Keys.itemRevisions(name), Kind.HASH));
                    whole.addAll(List.of(Keys.ids(name), Keys.publishes(name), Keys.idIncr(name)));
                }
                case "queue" -> {
                    items.add(new ItemKey(Keys.items(name), Kind.HASH));
                    whole.addAll(List.of(Keys.ids(name), Keys.publishes(name)));
                }
                case "job" -> {
                    items.add(new ItemKey(Keys.items(name), Kind.HASH));
                    items.add(new ItemKey(Keys.cancelled(name), Kind.HASH));
                    items.add(new ItemKey(Keys.results(name), Kind.HASH));
                    items.add(new ItemKey(Keys.published(name), Kind.ZSET));
                    items.add(new ItemKey(Keys.resultExpiry(name), Kind.ZSET));
                    items.add(new ItemKey(Keys.stalled(name), Kind.SET));
                    // claims are re-scored by touch, which records no change: copied whole
                    whole.addAll(List.of(Keys.ids(name), Keys.publishes(name), Keys.claimed(name),
                            Keys.finishes(name)));
                }
                default -> whole.addAll(List.of(Keys.allData(name)));
            }
        }
        // last: a copy whose revision is the source's has everything before it
        whole.add(Keys.revision(name));
        return new ObjectShape(name, List.copyOf(items), List.copyOf(whole));
    }

    /** Every key of the object, history included: what a full copy writes and verification compares. */
    List<String> allKeys() {
        List<String> all = new ArrayList<>();
        itemKeys.forEach(k -> all.add(k.key()));
        all.addAll(wholeKeys);
        all.add(Keys.history(name));
        return all;
    }

    /** Every key any object of this name may have, whatever its type: what deleting it removes. */
    static List<String> everyKey(String name) {
        List<String> all = new ArrayList<>(List.of(Keys.allData(name)));
        all.add(Keys.config(name));
        all.add(Keys.revision(name));
        all.add(Keys.history(name));
        return all;
    }
}
