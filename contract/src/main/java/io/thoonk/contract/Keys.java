package io.thoonk.contract;

import java.util.List;

/**
 * Redis key and channel names: the Thoonk contract's, and this project's extensions (documented
 * in docs/contract.md). The one place that spells them; every party (client, coordinator, tools)
 * builds names through here.
 *
 * <p>{@code name} arguments are object names and {@code team} arguments team ids, as the
 * {@linkplain NameRules name rules} allow them; these methods only concatenate.
 */
public final class Keys {

    /** Contract: SET of every object name on the shard. */
    public static final String FEEDS = "feeds";
    /** Contract channel: an object was created ({@code name \0 instance}). */
    public static final String NEWFEED = "newfeed";
    /** Contract channel: an object's config changed. */
    public static final String CONFFEED = "conffeed";
    /** Contract channel: an object was deleted. */
    public static final String DELFEED = "delfeed";

    /** Extension channel carrying every change with its revision. */
    public static final String EVENT_CHANNEL = "feed.event:";
    public static final String PUBLISH_CHANNEL = "feed.publish:";
    public static final String EDIT_CHANNEL = "feed.edit:";
    public static final String RETRACT_CHANNEL = "feed.retract:";
    public static final String POSITION_CHANNEL = "feed.position:";
    public static final String FINISH_CHANNEL = "job.finish:";

    /** Every channel prefix a subscriber listens on, the extension channel first. */
    public static final List<String> CHANNEL_PREFIXES = List.of(
            EVENT_CHANNEL, PUBLISH_CHANNEL, EDIT_CHANNEL, RETRACT_CHANNEL, POSITION_CHANNEL, FINISH_CHANNEL);

    /** The object types, as the config hash's {@code type} field spells them. */
    public static final List<String> TYPES = List.of("feed", "sorted_feed", "queue", "job");

    /** Prefix of the per-team object index keys ({@link #teamObjects}). */
    public static final String TEAM_OBJECTS_PREFIX = "thoonk.team.objects:";

    /** How many keys every object script takes before its own ({@link #common}). */
    public static final int COMMON_KEY_COUNT = 7;

    /** Index (0-based) of the request key among the KEYS of an object script ({@link #withRequest}). */
    public static final int REQUEST_KEY_INDEX = 6;

    /** The request key of a call whose reply is not to be remembered (a read): KEYS[7] empty. */
    public static final String NO_REQUEST = "";

    /** Prefix of the request keys ({@link #request}). */
    public static final String REQUEST_PREFIX = "thoonk.request:";

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

    /**
     * Extension: the HASH a coordinator writes on a Redis primary when it registers it as a shard
     * of a cluster (see {@link ShardMarker}), so a tool pointed straight at it can tell.
     */
    public static final String SHARD_MARKER = "thoonk.shard";

    /** Extension: the fence of a team on a shard (see {@link TeamFence}). */
    public static String fence(String team) {
        return "thoonk.team:" + team;
    }

    /**
     * Extension: the per-team object index, a SET of the names of the team's objects on the shard.
     * Kept by the scripts atomically with creates and deletes (see docs/contract.md).
     */
    public static String teamObjects(String team) {
        return TEAM_OBJECTS_PREFIX + team;
    }

    /**
     * Extension: the reply of one write call, remembered for a short while (see common.lua's
     * {@code once}) so that a retry of the same request ({@code requestId}: unique per call, e.g. a
     * client's random id and a counter) is answered without applying it again. In the team's
     * keyspace, so it is the team's like its objects.
     */
    public static String request(String team, String requestId) {
        return REQUEST_PREFIX + team + ":" + requestId;
    }

    /** Prefix of the per-team request indexes ({@link #teamRequests}). */
    public static final String TEAM_REQUESTS_PREFIX = "thoonk.team.requests:";

    /**
     * Extension: the team's index of its live request keys, a ZSET of request ids (the
     * {@code [id]} of {@link #request}) scored by the epoch ms their key expires at. Written by the
     * scripts with each remembered reply (common.lua's {@code once}), so that a team move finds the
     * team's request keys without scanning the keyspace.
     */
    public static String teamRequests(String team) {
        return TEAM_REQUESTS_PREFIX + team;
    }

    /** Prefix of the per-team indexes of deleted names ({@link #teamDeleted}). */
    public static final String TEAM_DELETED_PREFIX = "thoonk.team.deleted:";

    /**
     * Extension: the team's index of deleted names, a SET of the names of the team's objects that
     * were deleted on the shard and keep their revision counter ({@link #revision}) and, until it
     * expires, their history ({@link #history}): revisions of a name never repeat, so a team move
     * must carry them. Kept by the scripts (common.lua's {@code deleted_index}): deleting adds the
     * name, creating the object again removes it.
     */
    public static String teamDeleted(String team) {
        return TEAM_DELETED_PREFIX + team;
    }

    /** Prefix of the per-team change logs ({@link #teamChanges}). */
    public static final String TEAM_CHANGES_PREFIX = "thoonk.team.changes:";

    /**
     * Extension: the team's change log on its source shard while a move copies the team, a STREAM
     * with one entry per change ({@code o} object name, {@code k} event type, {@code i} item id).
     * The scripts append to it while the team's fence has its {@link TeamFence#CAPTURE_FIELD} field
     * (common.lua's {@code capture}), only to a log that exists; the copier creates it, reads it and
     * trims what it consumed ({@link TeamCopier}).
     */
    public static String teamChanges(String team) {
        return TEAM_CHANGES_PREFIX + team;
    }

    /**
     * A copy of an object script's {@code keys} (from {@link #common}) with the request key of
     * {@code requestId} in place of {@link #NO_REQUEST}.
     */
    public static String[] withRequest(String[] keys, String team, String requestId) {
        String[] copy = keys.clone();
        copy[REQUEST_KEY_INDEX] = request(team, requestId);
        return copy;
    }

    /**
     * The KEYS of an object script: the {@value #COMMON_KEY_COUNT} every script starts with (see
     * common.lua; the request key is {@link #NO_REQUEST}: give a write its own with
     * {@link #withRequest}), then {@code specific}. Tools that call the scripts directly must use
     * this too.
     */
    public static String[] common(String name, String team, String... specific) {
        String[] keys = new String[COMMON_KEY_COUNT + specific.length];
        keys[0] = FEEDS;
        keys[1] = config(name);
        keys[2] = revision(name);
        keys[3] = history(name);
        keys[4] = fence(team);
        keys[5] = teamObjects(team);
        keys[REQUEST_KEY_INDEX] = NO_REQUEST;
        System.arraycopy(specific, 0, keys, COMMON_KEY_COUNT, specific.length);
        return keys;
    }

    /**
     * The type-specific keys of an object's write scripts, in the order the scripts expect.
     *
     * @param type one of {@link #TYPES}
     * @throws IllegalArgumentException for any other type
     */
    public static String[] specific(String type, String name) {
        return switch (type) {
            case "feed" -> new String[] {ids(name), items(name), publishes(name), itemRevisions(name)};
            case "sorted_feed" -> new String[] {ids(name), items(name), publishes(name), idIncr(name), itemRevisions(name)};
            case "queue" -> new String[] {ids(name), items(name), publishes(name)};
            case "job" -> new String[] {ids(name), items(name), publishes(name), published(name), claimed(name),
                stalled(name), cancelled(name), finishes(name), results(name), resultExpiry(name)};
            default -> throw new IllegalArgumentException("unknown object type '" + type + "'; the contract's types are "
                    + TYPES);
        };
    }

    /** The keys of read.lua after the common ones: ids, items, item revisions. */
    public static String[] read(String name) {
        return new String[] {ids(name), items(name), itemRevisions(name)};
    }

    /**
     * Every data key an object of any type may have (what a delete removes), besides its config,
     * revision and history.
     */
    public static String[] allData(String name) {
        return new String[] {ids(name), items(name), publishes(name), idIncr(name), published(name), claimed(name),
            stalled(name), cancelled(name), finishes(name), itemRevisions(name), results(name), resultExpiry(name)};
    }
}
