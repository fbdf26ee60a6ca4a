package io.thoonk.it;

import io.thoonk.client.Event;
import io.thoonk.client.Feed;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.Closer;
import io.thoonk.testing.TcpProxy;
import io.thoonk.testing.cluster.Coordinators;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator that hangs with its connections open (here: a proxy in front of it that stops
 * passing bytes, as a paused process or a silent partition would) must not leave a client blind:
 * its Watch stream goes quiet, is given up after the silence limit and resumes on another
 * coordinator, and first resolves are hedged to another coordinator.
 */
class HungCoordinatorTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder()
            .shards("s0", "s1").registerShards(false));

    final Closer opened = new Closer();

    @AfterEach
    void closeAll() {
        opened.close();
    }

    @Test
    void a_client_watching_a_hung_coordinator_moves_its_watch_and_its_resolves_to_another() throws Exception {
        LocalCluster cluster = local.cluster();
        Coordinators coordinators = cluster.coordinators();
        Coordinator c1 = cluster.coordinator();
        cluster.registerShard("s0");
        TcpProxy toC1 = opened.add(TcpProxy.to(c1.address()));
        int laterPort = RoutingDirectoryChangesTest.freePort();
        // only c1 (through the proxy) answers at first, so the Watch stream goes there
        Thoonk client = opened.add(Thoonk.connectCluster(List.of(toC1.address(), "127.0.0.1:" + laterPort),
                ThoonkOptions.defaults()));
        List<Event> heard = new CopyOnWriteArrayList<>();
        client.subscribePattern("team:*:tasks", heard::add);
        coordinators.start("c2", laterPort);

        toC1.stall();
        cluster.registerShard("s1");

        long stalledAt = System.nanoTime();
        try (Thoonk peer = Thoonk.connect(cluster.shard("s1").primary().uri())) {
            Feed tasks = peer.feed("team:5:tasks");
            await("the pattern subscription learns of shard s1 through another coordinator's Watch")
                    .pollInterval(Duration.ofMillis(200)).atMost(Duration.ofSeconds(15))
                    .until(() -> {
                        tasks.publish("on the new shard");
                        return !heard.isEmpty();
                    });
        }
        Duration learnedAfter = Duration.ofNanos(System.nanoTime() - stalledAt);
        assertThat(heard.get(0).object()).isEqualTo("team:5:tasks");
        assertThat(learnedAfter).as("silence limit (3 s) + backoff + reconnect").isLessThan(Duration.ofSeconds(10));

        // a first use of a team needs a Resolve: whichever coordinator it is sent to first, it is
        // answered (a hedge goes to the other one after a second), well within the call timeout
        for (int team = 100; team < 104; team++) {
            long start = System.nanoTime();
            client.feed("team:" + team + ":tasks").publish("first item");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("first publish to team %d", team)
                    .isLessThan(Duration.ofSeconds(4));
        }
        toC1.unstall();
    }

    @Test
    void a_watch_asking_for_progress_hears_it_on_a_quiet_directory_and_a_bad_interval_is_refused() {
        LocalCluster cluster = local.cluster();
        Coordinator c1 = cluster.coordinator();
        var channel = cluster.coordinators().channel(c1);
        var quiet = DirectoryGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder().setProgressIntervalMillis(200).build());
        WatchResponse first = quiet.next();
        WatchResponse second = quiet.next();
        assertThat(first.hasProgress()).isTrue();
        assertThat(second.getProgress().getRevision()).isEqualTo(c1.directoryRevision());

        var refused = DirectoryGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder().setProgressIntervalMillis(5).build());
        assertThatExceptionOfType(StatusRuntimeException.class).isThrownBy(refused::next)
                .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .withMessageContaining("progress_interval_millis must be 100..60000 (0 = no progress messages), was 5");
    }
}
