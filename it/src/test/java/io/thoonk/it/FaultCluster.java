package io.thoonk.it;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.client.Feed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link LocalCluster} as fault tests use it: three coordinators (one Hazelcast cluster, the
 * default probe interval and down-after), shards {@code s0} (the one the faults hit) and
 * {@code s1} (the bystander), each a primary and one replica; teams pinned to a shard; the
 * directory's view of the shards; the redis-server process behind an address; an object's
 * history as a node holds it.
 */
final class FaultCluster {

    /** The fault tests' cluster; per test (faults change the shards' roles), so an instance extension. */
    static LocalCluster.Builder builder() {
        return LocalCluster.builder().coordinators(3).shards("s0", "s1").replicasPerShard(1);
    }

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** Enough history for every item a fault test writes: subscribers replay it after a failover. */
    static final Map<String, String> LONG_HISTORY = Map.of("history_length", "1000000");

    private final LocalCluster cluster;

    FaultCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    LocalCluster cluster() {
        return cluster;
    }

    /** A routing client of the cluster's coordinators, with the default durability (AUTO). */
    Thoonk client() {
        return client(CALL_TIMEOUT);
    }

    /** A routing client with the default durability (AUTO) and this call deadline. */
    Thoonk client(Duration commandTimeout) {
        return Thoonk.connectCluster(cluster.coordinators().addresses(),
                ThoonkOptions.builder().commandTimeout(commandTimeout).build());
    }

    AdminGrpc.AdminBlockingStub admin() {
        return AdminGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinators().leader()))
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Shard {@code id}'s record as the leading coordinator's directory has it now. */
    Shard shard(String id) {
        return DirectoryGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinators().leader()))
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .listShards(ListShardsRequest.getDefaultInstance()).getShardsList().stream()
                .filter(s -> s.getId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("the directory has no shard " + id));
    }

    /** The failovers the directory recorded, newest first. */
    List<FailoverRecord> failovers() {
        return admin().status(StatusRequest.getDefaultInstance()).getRecentFailoversList();
    }

    /** The redis-server process of any shard listening at {@code address}. */
    RedisProcess node(String address) {
        return cluster.shards().values().stream().flatMap(s -> s.processes().stream())
                .filter(p -> p.address().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no redis-server of the cluster listens at " + address));
    }

    /** The process the directory names as shard {@code id}'s primary. */
    RedisProcess primary(String id) {
        return node(shard(id).getPrimary());
    }

    /**
     * Feeds {@code team:<t>:events} of {@code teams}, each team pinned to shard {@code shardId}
     * first, created with a history long enough for the test.
     */
    List<Feed> feeds(Thoonk thoonk, String shardId, String... teams) {
        List<Feed> feeds = new ArrayList<>();
        for (String team : teams) {
            admin().placeTeam(PlaceTeamRequest.newBuilder().setTeam(team).setShardId(shardId).setPin(true).build());
            String name = "team:" + team + ":events";
            thoonk.registry().create(name, ObjectType.FEED, LONG_HISTORY);
            feeds.add(thoonk.feed(name));
        }
        return feeds;
    }

    /** {@code object}'s history stream as {@code node} holds it, oldest first. */
    static List<StreamMessage<String, String>> history(RedisProcess node, String object) {
        RedisClient client = RedisClient.create(node.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().xrange("feed.history:" + object, Range.create("-", "+"));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
