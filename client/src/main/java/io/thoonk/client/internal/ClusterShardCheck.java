package io.thoonk.client.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.thoonk.client.ClusterShardException;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Keys;
import io.thoonk.contract.ShardMarker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;

/**
 * What a client of one Redis does when that Redis is a registered shard of a cluster (it holds the
 * {@link ShardMarker}): refuses, or warns and goes on, as {@link ThoonkOptions#refuseClusterShard()}
 * says. One {@code HGETALL thoonk.shard} at connect.
 */
final class ClusterShardCheck {

    private static final Logger log = LoggerFactory.getLogger(ClusterShardCheck.class);

    private ClusterShardCheck() {
    }

    /**
     * @throws ClusterShardException when the Redis is a cluster shard and the options refuse that
     */
    static void check(ShardConnection shard, ThoonkOptions options) {
        Optional<ShardMarker> marker = read(shard, options);
        if (marker.isEmpty()) {
            return;
        }
        ClusterShardException refusal = new ClusterShardException(describe(shard.uri()), marker.get().shard(),
                marker.get().namespace());
        if (options.refuseClusterShard()) {
            throw refusal;
        }
        log.warn("{}. Connected anyway (ThoonkOptions.refuseClusterShard is off)", refusal.getMessage());
    }

    private static Optional<ShardMarker> read(ShardConnection shard, ThoonkOptions options) {
        Map<String, String> fields;
        try {
            fields = Await.await(shard.commands().hgetall(Keys.SHARD_MARKER), options.commandTimeout());
        } catch (RedisCommandExecutionException e) {
            // not readable (an ACL without the key, or a key of another type): not a marker this client can see
            log.debug("cannot read {} on {}: {}", Keys.SHARD_MARKER, describe(shard.uri()), e.getMessage());
            return Optional.empty();
        }
        return ShardMarker.parse(fields);
    }

    private static String describe(RedisURI uri) {
        return uri.getSocket() != null ? uri.getSocket() : uri.getHost() + ":" + uri.getPort();
    }
}
