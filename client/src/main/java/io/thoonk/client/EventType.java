package io.thoonk.client;

/**
 * What a change did. The first five are the contract's events; the others are this project's
 * extension events (job life cycle, queue takes, deletion), published only on {@code feed.event:[f]}.
 */
public enum EventType {
    /** A new item (feed, sorted feed, queue put, job put). */
    PUBLISH("publish"),
    /** An existing item's content changed. */
    EDIT("edit"),
    /** An item was removed (retract, or dropped by max_length). */
    RETRACT("retract"),
    /** A sorted-feed item was placed or moved; {@link Event#position()} says where. */
    POSITION("position"),
    /** A job finished; {@link Event#item()} holds its result. */
    FINISH("finish"),
    /** A queue item was taken by a consumer. */
    TAKE("take"),
    /** A job was claimed by a worker. */
    CLAIM("claim"),
    /** A claimed job was cancelled and is available again; {@link Event#item()} is its failure count. */
    CANCEL("cancel"),
    /** A claimed job's worker went silent past the timeout; it is available again. */
    TIMEOUT("timeout"),
    /** A claimed job was given back unfinished (worker shutdown), without counting a failure. */
    RELEASE("release"),
    /** A job was stalled (by a worker, or after its last allowed attempt). */
    STALL("stall"),
    /** A stalled job was made available again. */
    RETRY("retry"),
    /** The object was deleted. */
    DELETE("delete");

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The type's name in {@code feed.event} payloads and history entries. */
    public String wireName() {
        return wireName;
    }

    /** Parses a wire name; {@code null} for an unknown one (a newer writer), which listeners skip. */
    public static EventType fromWireName(String name) {
        for (EventType t : values()) {
            if (t.wireName.equals(name)) {
                return t;
            }
        }
        return null;
    }
}
