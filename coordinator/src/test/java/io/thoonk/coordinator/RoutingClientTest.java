package io.thoonk.coordinator;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Published;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The routing client against real coordinators and three real Redis shards. */
class RoutingClientTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static final List<RedisProcess> shards = new ArrayList<>();
    static final AtomicInteger namespaces = new AtomicInteger();

    Coordinator coordinator;
    ManagedChannel channel;
    Thoonk thoonk;
    String namespace;

    @BeforeAll
    static void startShards() {
        for (int i = 0; i < 3; i++) {
            shards.add(RedisProcess.start());
        }
    }

    @AfterAll
    static void stopShards() {
        shards.forEach(RedisProcess::close);
    }

    @BeforeEach
    void start() throws Exception {
        shards.forEach(s -> s.call("FLUSHALL"));
        namespace = "routing-" + namespaces.incrementAndGet();
        coordinator = Coordinator.start(CoordinatorConfig.builder(zookeeper.connectString()).id("c1")
                .namespace(namespace).grpcPort(0).build());
        coordinator.awaitLeadership(Duration.ofSeconds(10));
        channel = Grpc.newChannelBuilder(coordinator.address(), InsecureChannelCredentials.create()).build();
        for (int i = 0; i < shards.size(); i++) {
            admin().addShard(AddShardRequest.newBuilder().setId("s" + i).setPrimary("127.0.0.1:" + shards.get(i).port())
                    .build());
        }
        thoonk = Thoonk.connectCluster(List.of("127.0.0.1:1", coordinator.address()),
                ThoonkOptions.builder().rerouteDeadline(Duration.ofSeconds(5)).build());
    }

    @AfterEach
    void stop() {
        thoonk.close();
        channel.shutdownNow();
        coordinator.close();
    }

    AdminGrpc.AdminBlockingStub admin() {
        return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
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
            long clients = shard.call("CLIENT LIST").lines().count();
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
        coordinator.close();
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
        try (var zk = org.apache.curator.framework.CuratorFrameworkFactory.newClient(zookeeper.connectString(),
                new org.apache.curator.retry.RetryOneTime(100))) {
            zk.start();
            new DirectoryStore(zk.usingNamespace(namespace)).updateTeam("42", current -> current.orElseThrow()
                    .toBuilder().setShardId(toId).setEpoch(2).build());
        }
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
