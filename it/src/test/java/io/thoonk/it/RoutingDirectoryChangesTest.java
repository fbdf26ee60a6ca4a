package io.thoonk.it;

import io.thoonk.client.Event;
import io.thoonk.client.Feed;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.Coordinators;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the routing client follows shard changes it learns late or that end a shard: a reload the
 * coordinator asks for lists the shards again, and a removed shard's connections are closed.
 */
class RoutingDirectoryChangesTest {

    /** Coordinator c1 of the test's own, leading, and shards s0 and s1 it does not know yet. */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder()
            .shards("s0", "s1").registerShards(false));

    final Closer opened = new Closer();
    LocalCluster cluster;
    Coordinators coordinators;
    RedisProcess first;
    RedisProcess second;

    @BeforeEach
    void start() {
        cluster = local.cluster();
        coordinators = cluster.coordinators();
        first = cluster.shard("s0").primary();
        second = cluster.shard("s1").primary();
    }

    @AfterEach
    void closeAll() {
        opened.close();
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
        Coordinator c1 = cluster.coordinator();
        cluster.registerShard("s0");
        Thoonk client = opened.add(Thoonk.connectCluster(List.of(c1.address(), "127.0.0.1:" + laterPort),
                ThoonkOptions.defaults()));
        List<Event> heard = new CopyOnWriteArrayList<>();
        client.subscribePattern("team:*:tasks", heard::add);

        // The client's coordinator goes away; meanwhile another one adds a shard, and a third one,
        // started only after that change, holds no change log the client could resume from.
        coordinators.stop(c1);
        Coordinator c3 = coordinators.start("c3");
        assertThat(coordinators.leader()).isSameAs(c3);
        cluster.registerShard("s1");
        coordinators.stop(c3);
        Coordinator c2 = coordinators.start("c2", laterPort);
        assertThat(coordinators.leader()).isSameAs(c2);

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
    void a_removed_shards_connections_are_closed() {
        Coordinator c1 = cluster.coordinator();
        cluster.registerShard("s0");
        cluster.registerShard("s1");
        Thoonk client = opened.add(Thoonk.connectCluster(List.of(c1.address()), ThoonkOptions.defaults()));
        client.subscribePattern("team:*:tasks", event -> { });
        assertThat(clientConnections(second)).as("command and pub/sub connections").isEqualTo(2);

        AdminGrpc.newBlockingStub(coordinators.channel(c1)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .removeShard(RemoveShardRequest.newBuilder().setId("s1").build());

        await("the client lets go of the removed shard").atMost(Duration.ofSeconds(10))
                .until(() -> clientConnections(second) == 0);
        assertThat(clientConnections(first)).as("the other shard keeps its connections").isEqualTo(2);
    }
}
