package io.thoonk.coordinator;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.testing.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** One or two coordinators: the parts they take from their config, and waiting for leadership. */
class CoordinatorTest {

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    @Test
    void the_server_builder_and_the_scheduler_come_from_the_config_and_a_given_scheduler_is_left_running()
            throws Exception {
        List<InetSocketAddress> addressesAsked = new CopyOnWriteArrayList<>();
        // One thread on purpose: nothing the coordinator runs on it may wait for another of its tasks.
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "test-scheduler");
            t.setDaemon(true);
            return t;
        });
        coordinators.own(scheduler::shutdownNow);
        RedisProcess redis = coordinators.own(RedisProcess.start());

        Coordinator c = coordinators.startLeader(coordinators.config("solo").scheduler(scheduler).server(address -> {
            addressesAsked.add(address);
            return NettyServerBuilder.forAddress(address);
        }));

        assertThat(addressesAsked).containsExactly(new InetSocketAddress("127.0.0.1", 0));
        assertThat(c.port()).isPositive();
        assertThat(c.address()).isEqualTo("127.0.0.1:" + c.port());
        ManagedChannel channel = coordinators.channel(c);
        AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .addShard(AddShardRequest.newBuilder().setId("only").setPrimary(redis.address()).build());
        long tasksBefore = scheduler.getCompletedTaskCount();
        var placed = DirectoryGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam("first-team").build());
        assertThat(placed.getPlacement().getShardId()).isEqualTo("only");
        // answered from the directory that holds the placement: AddShard was revision 1, the placement 2
        assertThat(placed.getDirectoryRevision()).isEqualTo(2);
        assertThat(placed.getShard().getTeamCount()).isEqualTo(1);
        // the answer may leave before the pool counts the batch's task as completed
        await("the placing batch ran on the given scheduler").atMost(Duration.ofSeconds(5))
                .until(() -> scheduler.getCompletedTaskCount() > tasksBefore);

        c.close();
        assertThat(scheduler.isShutdown()).isFalse();
        assertThat(scheduler.submit(() -> "still running").get(5, TimeUnit.SECONDS)).isEqualTo("still running");
    }

    @Test
    void waiting_for_leadership_times_out_naming_who_was_waited_for_and_the_leader_then_succeeds_once_it_goes()
            throws Exception {
        Coordinator first = coordinators.startLeader(coordinators.config("first"));
        Coordinator second = coordinators.start("second");
        Coordinator third = coordinators.start("third");

        assertThatThrownBy(() -> second.awaitLeadership(Duration.ofMillis(300)))
                .isInstanceOf(LeadershipTimeoutException.class)
                .hasMessageContaining("coordinator 'second' did not become leader within 300 ms")
                .hasMessageContaining("the leader is first@" + first.address());
        assertThatThrownBy(() -> Coordinator.awaitLeader(List.of(second, third), Duration.ofMillis(200)))
                .isInstanceOf(LeadershipTimeoutException.class)
                .hasMessageContaining("none of the coordinators 'second', 'third' became leader within 200 ms");
        assertThat(Coordinator.awaitLeader(List.of(second, first, third), Duration.ofSeconds(1))).isSameAs(first);

        first.close();
        Coordinator next = Coordinator.awaitLeader(List.of(second, third), Duration.ofSeconds(15));
        assertThat(next.isLeader()).isTrue();
        assertThat(List.of(second, third)).filteredOn(Coordinator::isLeader).containsExactly(next);
    }
}
