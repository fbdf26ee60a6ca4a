package io.thoonk.client.internal;

import io.thoonk.client.ObjectType;

/**
 * Redis key and channel names: the Thoonk contract's, and this project's extensions
 * (documented in docs/contract.md). The one place that spells them.
 */
public final class Keys {

    public static final String FEEDS = "feeds";
    public static final String NEWFEED = "newfeed";
    public static final String CONFFEED = "conffeed";
    public static final String DELFEED = "delfeed";

    /** Extension channel carrying every change with its revision. */
    public static final String EVENT_CHANNEL = "feed.event:";
    public static final String PUBLISH_CHANNEL = "feed.publish:";
    public static final String EDIT_CHANNEL = "feed.edit:";
    public static final String RETRACT_CHANNEL = "feed.retract:";
    public static final String POSITION_CHANNEL = "feed.position:";
    public static final String FINISH_CHANNEL = "job.finish:";

    /** Every channel prefix a subscriber listens on, the extension channel first. */
    public static final String[] CHANNEL_PREFIXES = {
        EVENT_CHANNEL, PUBLISH_CHANNEL, EDIT_CHANNEL, RETRACT_CHANNEL, POSITION_CHANNEL, FINISH_CHANNEL
    };

    private Keys() {
    }

    public static String config(String name) {
        return "feed.config:" + name;
    }

    public static String ids(String name) {
        return "feed.ids:" + name;
    }

    public static String items(String name) {
        return "feed.items:" + name;
    }

    public static String publishes(String name) {
        return "feed.publishes:" + name;
    }

    public static String idIncr(String name) {
        return "feed.idincr:" + name;
    }

    public static String published(String name) {
        return "feed.published:" + name;
    }

    public static String claimed(String name) {
        return "feed.claimed:" + name;
    }

    public static String stalled(String name) {
        return "feed.stalled:" + name;
    }

    public static String cancelled(String name) {
        return "feed.cancelled:" + name;
    }

    public static String finishes(String name) {
        return "feed.finishes:" + name;
    }

    /** Extension: the object's revision counter. */
    public static String revision(String name) {
        return "feed.revision:" + name;
    }

    /** Extension: the object's bounded history, a stream with entry ids {@code <revision>-0}. */
    public static String history(String name) {
        return "feed.history:" + name;
    }

    /** Extension: revision of each item's last change. */
    public static String itemRevisions(String name) {
        return "feed.itemrev:" + name;
    }

    /** Extension: kept job results. */
    public static String results(String name) {
        return "job.results:" + name;
    }

    /** Extension: expiry time (epoch ms) of each kept job result. */
    public static String resultExpiry(String name) {
        return "job.resultexp:" + name;
    }

    /** Extension: the fence of a team on a shard (state, epoch). */
    public static String fence(String team) {
        return "thoonk.team:" + team;
    }

    /**
     * The KEYS of an object script: the five every script starts with (see common.lua), then
     * {@code specific}. Tools that call the scripts directly (benchmarks) must use this too.
     */
    public static String[] common(String name, String team, String... specific) {
        String[] keys = new String[5 + specific.length];
        keys[0] = FEEDS;
        keys[1] = config(name);
        keys[2] = revision(name);
        keys[3] = history(name);
        keys[4] = fence(team);
        System.arraycopy(specific, 0, keys, 5, specific.length);
        return keys;
    }

    /** The type-specific keys of an object's write scripts, in the order the scripts expect. */
    public static String[] specific(ObjectType type, String name) {
        return switch (type) {
            case FEED -> new String[] {ids(name), items(name), publishes(name), itemRevisions(name)};
            case SORTED_FEED -> new String[] {ids(name), items(name), publishes(name), idIncr(name), itemRevisions(name)};
            case QUEUE -> new String[] {ids(name), items(name), publishes(name)};
            case JOB -> new String[] {ids(name), items(name), publishes(name), published(name), claimed(name),
                stalled(name), cancelled(name), finishes(name), results(name), resultExpiry(name)};
        };
    }

    /** Every data key an object of any type may have (what a delete removes). */
    static String[] allData(String name) {
        return new String[] {ids(name), items(name), publishes(name), idIncr(name), published(name), claimed(name),
            stalled(name), cancelled(name), finishes(name), itemRevisions(name), results(name), resultExpiry(name)};
    }
}
