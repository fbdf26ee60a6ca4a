package io.thoonk.it;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Item;
import io.thoonk.client.Published;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.shard.NodeProber;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The routing client against real coordinators and three real Redis shards. */
class RoutingClientTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0", "s1", "s2"));

    LocalCluster cluster;
    /** The primaries of shards s0, s1, s2, in that order. */
    List<RedisProcess> shards;
    Coordinator coordinator;
    Thoonk thoonk;

    @BeforeEach
    void start() {
        cluster = local.cluster();
        shards = cluster.shards().values().stream().map(RedisShard::primary).toList();
        coordinator = cluster.coordinator();
        thoonk = Thoonk.connectCluster(List.of("127.0.0.1:1", coordinator.address()),
                ThoonkOptions.defaults());
    }

    @AfterEach
    void stop() {
        thoonk.close();
    }

    AdminGrpc.AdminBlockingStub admin() {
        return AdminGrpc.newBlockingStub(cluster.coordinators().channel(coordinator))
                .withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    RedisProcess shardOf(String team) {
        TeamPlacement p = admin().getTeam(GetTeamRequest.newBuilder().setTeam(team).build()).getPlacement();
        return shards.get(Integer.parseInt(p.getShardId().substring(1)));
    }

    @Test
    void every_object_lives_on_the_shard_the_directory_names_with_few_connections() {
        int teams = 1000;
        List<CompletableFuture<Published>> writes = new ArrayList<>();
        for (int t = 0; t < teams; t++) {
            writes.add(thoonk.feed("team:" + t + ":news").async().publish("hello " + t, "item").toCompletableFuture());
        }
        writes.forEach(CompletableFuture::join);
        Map<Integer, Integer> perShard = new HashMap<>();
        for (int t = 0; t < teams; t++) {
            RedisProcess home = shardOf(Integer.toString(t));
            perShard.merge(shards.indexOf(home), 1, Integer::sum);
            for (RedisProcess shard : shards) {
                assertThat(shard.call("HGET feed.items:team:" + t + ":news item"))
                        .isEqualTo(shard == home ? "hello " + t : null);
            }
        }
        assertThat(perShard).containsOnlyKeys(0, 1, 2);
        assertThat(perShard.values()).allSatisfy(n -> assertThat(n).isBetween(300, 370));
        for (RedisProcess shard : shards) {
            // the client's command connection, plus the coordinator's fence connection: not one per team
            // (the coordinators' health probes, one connection each, are not the client's)
            long clients = shard.call("CLIENT LIST").lines()
                    .filter(l -> !l.contains("name=" + NodeProber.CLIENT_NAME)).count();
            assertThat(clients).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void a_pattern_across_teams_hears_every_shard() {
        List<Event> events = new CopyOnWriteArrayList<>();
        thoonk.subscribePattern("team:*:tasks", events::add);
        for (int t = 0; t < 30; t++) {
            thoonk.feed("team:" + t + ":tasks").publish("task " + t);
            thoonk.feed("team:" + t + ":other").publish("not matched");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 30);
        assertThat(events).extracting(Event::object).doesNotHaveDuplicates().allMatch(o -> o.endsWith(":tasks"));
        assertThat(events.stream().map(e -> shardOf(e.object().split(":")[1])).distinct().count()).isEqualTo(3);
    }

    @Test
    void known_teams_keep_working_while_no_coordinator_answers_and_unknown_ones_fail_fast() {
        for (int t = 0; t < 10; t++) {
            thoonk.feed("team:" + t + ":log").publish("before");
        }
        cluster.coordinators().stop(coordinator);
        for (int t = 0; t < 10; t++) {
            assertThat(thoonk.feed("team:" + t + ":log").publish("during").revision()).isEqualTo(2);
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> thoonk.feed("team:999:log").publish("x"))
                .isInstanceOf(ThoonkConnectionException.class)
                .hasMessageContaining("team '999'").hasMessageContaining("no coordinator");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void a_team_moved_behind_the_clients_back_is_followed_without_error_or_writes_to_the_old_shard()
            throws Exception {
        Feed feed = thoonk.feed("team:42:chat");
        List<Long> revisions = new CopyOnWriteArrayList<>();
        thoonk.subscribe("team:42:chat", (EventListener) e -> revisions.add(e.revision()));
        feed.publish("one");
        feed.publish("two");
        RedisProcess from = shardOf("42");
        RedisProcess to = shards.get((shards.indexOf(from) + 1) % shards.size());
        String toId = "s" + shards.indexOf(to);

        // A move done by hand: freeze on the old shard, copy the team's keys, flip the directory with
        // a higher epoch, fence the old shard as moved.
        from.call("HSET thoonk.team:42 state frozen epoch 1");
        copyKeys(from, to, "*team:42:*");
        to.call("HSET thoonk.team:42 state active epoch 2");
        placeInDirectory("42", toId, 2);
        from.call("HSET thoonk.team:42 state moved epoch 2");
        String oldRevision = from.call("GET feed.revision:team:42:chat");

        Published three = feed.publish("three");
        assertThat(three.revision()).isEqualTo(3);
        assertThat(to.call("HGET feed.items:team:42:chat " + three.id())).isEqualTo("three");
        assertThat(from.call("HGET feed.items:team:42:chat " + three.id())).isNull();
        assertThat(from.call("GET feed.revision:team:42:chat")).isEqualTo(oldRevision);
        feed.publish("four");
        await().atMost(Duration.ofSeconds(10)).until(() -> revisions.size() == 4);
        assertThat(revisions).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void a_read_through_a_stale_route_is_refused_and_rerouted_to_the_teams_new_shard() throws Exception {
        Feed feed = thoonk.feed("team:43:chat");
        Published one = feed.publish("one");
        RedisProcess from = shardOf("43");
        RedisProcess to = shards.get((shards.indexOf(from) + 1) % shards.size());

        // Moved behind the client's back: the team is active on the new shard and written there, the
        // old shard is fenced as moved, and the directory still names the old shard, so the client's
        // cached route (and a fresh Resolve) still lead there.
        from.call("HSET thoonk.team:43 state frozen epoch 1");
        copyKeys(from, to, "*team:43:*");
        to.call("HSET thoonk.team:43 state active epoch 2");
        try (Thoonk onNewShard = Thoonk.connect(to.uri())) {
            onNewShard.feed("team:43:chat").publish("two", "written-after-the-move");
        }
        from.call("HSET thoonk.team:43 state moved epoch 2");

        CompletableFuture<List<String>> read = feed.async().ids().toCompletableFuture();
        placeInDirectory("43", "s" + shards.indexOf(to), 2);

        assertThat(read.get(10, TimeUnit.SECONDS)).containsExactly(one.id(), "written-after-the-move");
        assertThat(feed.get("written-after-the-move")).map(Item::value).contains("two");
    }

    @Test
    void a_subscription_through_a_stale_route_starts_from_the_teams_new_shard() throws Exception {
        Feed feed = thoonk.feed("team:44:chat");
        feed.publish("one");
        RedisProcess from = shardOf("44");
        RedisProcess to = shards.get((shards.indexOf(from) + 1) % shards.size());

        // Moved behind the client's back, as in the read test above: the new shard already has a
        // change the old one lacks, and the directory still names the old shard.
        from.call("HSET thoonk.team:44 state frozen epoch 1");
        copyKeys(from, to, "*team:44:*");
        to.call("HSET thoonk.team:44 state active epoch 2");
        try (Thoonk onNewShard = Thoonk.connect(to.uri())) {
            onNewShard.feed("team:44:chat").publish("two");
        }
        from.call("HSET thoonk.team:44 state moved epoch 2");

        // "From now" means after revision 2, the team's revision at the call: read on the old shard
        // it would be 1, and the subscription would then hear "two", which came before it.
        List<Event> fromNow = new CopyOnWriteArrayList<>();
        CompletableFuture<Subscription> subscribing = CompletableFuture.supplyAsync(() ->
                thoonk.subscribe("team:44:chat", (EventListener) fromNow::add));
        placeInDirectory("44", "s" + shards.indexOf(to), 2);
        subscribing.get(10, TimeUnit.SECONDS);
        // a replay from revision 1 reads the new shard's history
        List<Event> fromOne = new CopyOnWriteArrayList<>();
        thoonk.subscribe("team:44:chat", 1, (EventListener) fromOne::add);

        assertThat(feed.publish("three").revision()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> !fromNow.isEmpty() && fromOne.size() >= 3);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> fromNow.size() == 1);
        assertThat(fromNow).extracting(Event::item).containsExactly("three");
        assertThat(fromOne).extracting(Event::item).containsExactly("one", "two", "three");
    }

    /** Writes a team's placement straight into ZooKeeper, as a mover flipping the directory would. */
    void placeInDirectory(String team, String shardId, long epoch) throws Exception {
        try (var zk = org.apache.curator.framework.CuratorFrameworkFactory.newClient(
                cluster.zookeeper().connectString(), new org.apache.curator.retry.RetryOneTime(100))) {
            zk.start();
            new DirectoryStore(zk.usingNamespace(cluster.namespace())).updateTeam(team, current -> current.orElseThrow()
                    .toBuilder().setShardId(shardId).setEpoch(epoch).build());
        }
    }

    /** DUMP/RESTORE of every key matching {@code pattern}. */
    static void copyKeys(RedisProcess from, RedisProcess to, String pattern) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<byte[], byte[]> src = client.connect(ByteArrayCodec.INSTANCE,
                io.lettuce.core.RedisURI.create(from.uri()));
             StatefulRedisConnection<byte[], byte[]> dst = client.connect(ByteArrayCodec.INSTANCE,
                     io.lettuce.core.RedisURI.create(to.uri()))) {
            RedisCommands<byte[], byte[]> s = src.sync();
            KeyScanCursor<byte[]> cursor = s.scan(ScanArgs.Builder.matches(pattern.getBytes(StandardCharsets.UTF_8)));
            while (true) {
                for (byte[] key : cursor.getKeys()) {
                    dst.sync().restore(key, s.dump(key), io.lettuce.core.RestoreArgs.Builder.ttl(0).replace());
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = s.scan(cursor, ScanArgs.Builder.matches(pattern.getBytes(StandardCharsets.UTF_8)));
            }
        } finally {
            client.shutdown();
        }
    }
}
