package io.thoonk.contract;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The mark of a cluster shard: the hash {@value Keys#SHARD_MARKER} with fields {@code shard} and
 * {@code namespace}, which a coordinator writes on a shard's primary when it registers the shard
 * (replicas get it by replication) and deletes when it removes the shard.
 *
 * <p>Why: writing to a shard directly, as a client of one Redis does, skips routing; a team's
 * objects could then end up on two shards. A client or tool about to treat a Redis as a single,
 * unmanaged one reads the marker ({@code HGETALL thoonk.shard}, one round trip) and warns or
 * refuses. No script reads it. Shards registered before the marker existed have none.
 *
 * @param shard     the shard's id in the directory
 * @param namespace the ZooKeeper namespace (root node) of the cluster's directory
 */
public record ShardMarker(String shard, String namespace) {

    /** Hash field holding the shard id. */
    public static final String SHARD_FIELD = "shard";
    /** Hash field holding the cluster's ZooKeeper namespace. */
    public static final String NAMESPACE_FIELD = "namespace";

    public ShardMarker {
        Objects.requireNonNull(shard, "shard == null");
        Objects.requireNonNull(namespace, "namespace == null");
        if (shard.isEmpty()) {
            throw new IllegalArgumentException("shard must not be empty");
        }
    }

    /** The hash fields, to write with one {@code HSET thoonk.shard field value ...}. */
    public Map<String, String> fields() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(SHARD_FIELD, shard);
        fields.put(NAMESPACE_FIELD, namespace);
        return fields;
    }

    /**
     * Reads a marker from its hash fields ({@code HGETALL thoonk.shard}): empty when the hash is
     * empty or absent (not a registered shard). A marker without a shard id still marks a shard,
     * named {@code ?}; a missing namespace reads as empty.
     */
    public static Optional<ShardMarker> parse(Map<String, String> fields) {
        Objects.requireNonNull(fields, "fields == null");
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        String shard = fields.getOrDefault(SHARD_FIELD, "");
        return Optional.of(new ShardMarker(shard.isEmpty() ? "?" : shard, fields.getOrDefault(NAMESPACE_FIELD, "")));
    }
}
