package io.thoonk.it;

import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;

import io.grpc.ManagedChannel;
import io.thoonk.client.Event;
import io.thoonk.client.Feed;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.proto.CoordinatorChannels;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the routing client follows shard changes it learns late or that end a shard: a reload the
 * coordinator asks for lists the shards again, and a removed shard's connections are closed.
 */
class RoutingDirectoryChangesTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static final AtomicInteger namespaces = new AtomicInteger();
    static RedisProcess first;
    static RedisProcess second;

    final List<AutoCloseable> opened = new ArrayList<>();
    String namespace;

    @BeforeAll
    static void startShards() {
        first = RedisProcess.start();
        second = RedisProcess.start();
    }

    @AfterAll
    static void stopShards() {
        first.close();
        second.close();
    }

    @BeforeEach
    void flush() {
        first.call("FLUSHALL");
        second.call("FLUSHALL");
        namespace = "directory-changes-" + namespaces.incrementAndGet();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    <T extends AutoCloseable> T own(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    Coordinator coordinator(String id, int port) throws Exception {
        Coordinator c = own(Coordinator.start(CoordinatorConfig.builder(zookeeper.connectString()).id(id)
                .namespace(namespace).grpcPort(port).build()));
        await().atMost(Duration.ofSeconds(10)).until(c::isLeader);
        return c;
    }

    static void admin(Coordinator via, Consumer<AdminGrpc.AdminBlockingStub> call) {
        ManagedChannel channel = CoordinatorChannels.open(List.of(via.address()));
        try {
            call.accept(AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS));
        } finally {
            channel.shutdownNow();
        }
    }

    static void addShard(Coordinator via, String id, RedisProcess primary) {
        admin(via, stub -> stub.addShard(AddShardRequest.newBuilder().setId(id)
                .setPrimary("127.0.0.1:" + primary.port()).build()));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Connections of routing clients on {@code redis} (they are named "thoonk"). */
    static long clientConnections(RedisProcess redis) {
        return redis.call("CLIENT LIST").lines().filter(l -> l.contains(" name=thoonk ")).count();
    }

    @Test
    void a_reload_lists_the_shards_again_so_a_shard_added_while_the_client_was_away_is_known() throws Exception {
        int laterPort = freePort();
        Coordinator c1 = coordinator("c1", 0);
        addShard(c1, "s0", first);
        Thoonk client = own(Thoonk.connectCluster(List.of(c1.address(), "127.0.0.1:" + laterPort),
                ThoonkOptions.defaults()));
        List<Event> heard = new CopyOnWriteArrayList<>();
        client.subscribePattern("team:*:tasks", heard::add);

        // The client's coordinator goes away; meanwhile another one adds a shard, and a third one,
        // started only after that change, holds no change log the client could resume from.
        c1.close();
        Coordinator c3 = coordinator("c3", 0);
        addShard(c3, "s1", second);
        c3.close();
        coordinator("c2", laterPort);

        try (Thoonk peer = Thoonk.connect(second.uri())) {
            Feed tasks = peer.feed("team:5:tasks");
            await("the pattern subscription hears the shard added during the gap")
                    .pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(20))
                    .until(() -> {
                        tasks.publish("on the new shard");
                        return !heard.isEmpty();
                    });
        }
        assertThat(heard.get(0).object()).isEqualTo("team:5:tasks");
        assertThat(heard.get(0).item()).isEqualTo("on the new shard");
    }

    @Test
    void a_removed_shards_connections_are_closed() throws Exception {
        Coordinator c1 = coordinator("c1", 0);
        addShard(c1, "s0", first);
        addShard(c1, "s1", second);
        Thoonk client = own(Thoonk.connectCluster(List.of(c1.address()), ThoonkOptions.defaults()));
        client.subscribePattern("team:*:tasks", event -> { });
        assertThat(clientConnections(second)).as("command and pub/sub connections").isEqualTo(2);

        admin(c1, stub -> stub.removeShard(RemoveShardRequest.newBuilder().setId("s1").build()));

        await("the client lets go of the removed shard").atMost(Duration.ofSeconds(10))
                .until(() -> clientConnections(second) == 0);
        assertThat(clientConnections(first)).as("the other shard keeps its connections").isEqualTo(2);
    }
}
