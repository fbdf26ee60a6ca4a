package io.thoonk.client;

/**
 * {@link Thoonk#connect(String, ThoonkOptions)} was pointed at a Redis that a coordinator
 * registered as a shard of a cluster (it holds the shard marker {@code thoonk.shard}), and
 * {@link ThoonkOptions#refuseClusterShard()} is set. A client of one Redis writing there skips the
 * cluster's routing, so a team's objects could end up on two shards; connect through the
 * coordinators ({@link Thoonk#connectCluster}) instead. Nothing was read or written.
 */
public final class ClusterShardException extends ThoonkException {

    private final String redis;
    private final String shard;
    private final String namespace;

    public ClusterShardException(String redis, String shard, String namespace) {
        super("Redis at " + redis + " is shard '" + shard + "' of a Thoonk cluster (ZooKeeper namespace '"
                + namespace + "'): a client of one Redis would skip the cluster's routing there, so a team's objects "
                + "could end up on two shards; connect through the cluster's coordinators (Thoonk.connectCluster)");
        this.redis = redis;
        this.shard = shard;
        this.namespace = namespace;
    }

    /** The Redis connected to, {@code host:port} (or the socket path). */
    public String redis() {
        return redis;
    }

    /** The shard's id in the cluster's directory. */
    public String shard() {
        return shard;
    }

    /** The ZooKeeper namespace of the cluster's directory (empty if the marker does not say). */
    public String namespace() {
        return namespace;
    }
}
