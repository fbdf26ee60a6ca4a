package io.thoonk.client;

/**
 * A write reached Redis, but whether it took effect durably is not known: a
 * {@link Durability#REPLICATED} write that no replica confirmed within
 * {@link ThoonkOptions#replicationTimeout()} (the primary applied it; it may be lost if the primary
 * fails before a replica catches up), or a write whose shard's primary failed or changed while it
 * was in flight and that no new primary answered before the call's deadline.
 *
 * <p>What to do: read the object to see whether the write is there before writing it again (a
 * feed publish with its own id, or an edit, can simply be repeated: it is then an edit with the
 * same content). Retries the client makes itself never apply a write twice (every call carries a
 * request id the shard remembers; see docs/contract.md), but a new call is a new request.
 */
public final class WriteOutcomeUnknownException extends ThoonkTimeoutException {

    private final String object;
    private final String shard;

    public WriteOutcomeUnknownException(String object, String shard, String what) {
        super("the outcome of a write to '" + object + "' on shard '" + shard + "' is unknown: " + what
                + "; read '" + object + "' to see whether the write is there before writing it again");
        this.object = object;
        this.shard = shard;
    }

    /** The object written to. */
    public String object() {
        return object;
    }

    /** The shard's id ({@code single} for a single-Redis client). */
    public String shard() {
        return shard;
    }
}
