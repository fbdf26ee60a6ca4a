package io.thoonk.client;

/**
 * A write asked for {@link Durability#REPLICATED}, but the directory names no live replica for the
 * team's shard (it has none, or it is {@code SHARD_DEGRADED}: its replicas are down). Nothing was
 * written. Write with {@link Durability#PRIMARY} or {@link Durability#AUTO} to accept a primary-only
 * acknowledgement, or retry once the shard has a replica again ({@code thoonk admin status}).
 */
public final class ReplicationUnavailableException extends ThoonkException {

    private final String object;
    private final String shard;

    public ReplicationUnavailableException(String object, String shard, String reason) {
        super("write to '" + object + "' refused before writing: it asked for Durability.REPLICATED but shard '"
                + shard + "' has no live replica" + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")")
                + "; use Durability.PRIMARY or AUTO to accept a primary-only acknowledgement");
        this.object = object;
        this.shard = shard;
    }

    public String object() {
        return object;
    }

    public String shard() {
        return shard;
    }
}
