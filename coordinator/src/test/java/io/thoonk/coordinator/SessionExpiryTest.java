package io.thoonk.coordinator;

import io.thoonk.testing.TcpProxy;
import io.thoonk.coordinator.directory.ZkLayout;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.testing.RedisProcess;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator cut off from a running ZooKeeper until its session expires, then let back.
 *
 * <p>The coordinator reaches ZooKeeper through a {@link TcpProxy}; ZooKeeper is a single standalone
 * server, whose clients are not told the ensemble's own addresses (Curator follows a quorum's
 * configuration, which would take the coordinator around the proxy).
 */
class SessionExpiryTest {

    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(4);

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    @Test
    void a_leader_whose_session_expires_stops_leading_then_rejoins_registered_and_takes_writes_again()
            throws Exception {
        RedisProcess redis = coordinators.own(RedisProcess.start());
        String[] server = coordinators.zookeeper().split(":");
        TcpProxy proxy = coordinators.own(TcpProxy.to(server[0], Integer.parseInt(server[1])));
        CuratorFramework observer = coordinators.own(CuratorFrameworkFactory.newClient(coordinators.zookeeper(),
                new RetryOneTime(100)));
        observer.start();
        CuratorFramework nodes = observer.usingNamespace(coordinators.namespace());

        Coordinator cutOff = coordinators.startLeader(coordinators.config("cut-off", proxy.address())
                .sessionTimeout(SESSION_TIMEOUT));
        Coordinator other = coordinators.start(coordinators.config("other").sessionTimeout(SESSION_TIMEOUT));
        AdminGrpc.newBlockingStub(coordinators.channel(other)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .addShard(AddShardRequest.newBuilder().setId("only").setPrimary(redis.address()).build());
        String registration = ZkLayout.COORDINATORS + "/" + cutOff.id();
        long sessionBefore = nodes.checkExists().forPath(registration).getEphemeralOwner();

        proxy.cut();
        // ZooKeeper expires the session once it has not heard from it for the session timeout.
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.checkExists().forPath(registration) == null);
        assertThat(cutOff.isLeader()).isFalse();
        assertThat(cutOff.isZooKeeperConnected()).isFalse();
        other.awaitLeadership(Duration.ofSeconds(15));

        proxy.restore();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            Stat stat = nodes.checkExists().forPath(registration);
            return stat != null && stat.getEphemeralOwner() != sessionBefore;
        });
        await().atMost(Duration.ofSeconds(30)).until(cutOff::isZooKeeperConnected);
        AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(coordinators.channel(cutOff));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin
                .withDeadlineAfter(5, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance())
                .getCoordinatorsCount() == 2);
        assertThat(List.of(cutOff, other)).filteredOn(Coordinator::isLeader).containsExactly(other);
        // A write through the rejoined coordinator is forwarded to the leader and read back there.
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> DirectoryGrpc
                .newBlockingStub(coordinators.channel(cutOff)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam("after-expiry").build()).hasPlacement());
        assertThat(AdminGrpc.newBlockingStub(coordinators.channel(other)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getTeam(GetTeamRequest.newBuilder().setTeam("after-expiry").build()).getPlacement().getShardId())
                .isEqualTo("only");
    }
}
