package io.thoonk.coordinator.cluster;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.testing.Closer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The coordinators' Hazelcast cluster: joining, quorum, and a clear error for a taken port. */
class CoordinatorClusterTest {

    final Closer started = new Closer();
    final String name = "cluster-test-" + UUID.randomUUID();

    @AfterEach
    void closeAll() {
        started.close();
    }

    CoordinatorCluster start(List<String> members, int clusterSize) throws InterruptedException {
        return started.add(CoordinatorCluster.start(new CoordinatorCluster.Settings(name, "127.0.0.1", 0, members,
                clusterSize), CoordinatorCluster.START_TIMEOUT));
    }

    @Test
    void members_joining_and_leaving_make_and_break_the_quorum_of_a_majority_of_the_cluster_size() throws Exception {
        CoordinatorCluster first = start(List.of(), 3);
        assertThat(first.address()).startsWith("127.0.0.1:");
        assertThat(first.majority()).isEqualTo(2);
        assertThat(first.hasQuorum()).as("one of three").isFalse();

        CoordinatorCluster second = start(List.of(first.address()), 3);

        await().atMost(Duration.ofSeconds(10)).until(() -> first.hasQuorum() && second.hasQuorum());
        assertThat(first.liveMembers()).isEqualTo(2);
        assertThat(second.memberIds()).containsExactlyInAnyOrderElementsOf(first.memberIds())
                .contains(first.localMemberId(), second.localMemberId());

        second.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.hasQuorum());
        assertThat(first.liveMembers()).isOne();
        assertThat(second.liveMembers()).as("closed").isZero();
        assertThat(second.hasQuorum()).isFalse();
    }

    @Test
    void a_taken_port_is_refused_naming_it() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            CoordinatorCluster.Settings settings = new CoordinatorCluster.Settings(name, "127.0.0.1",
                    taken.getLocalPort(), List.of(), 1);

            assertThatThrownBy(() -> started.add(CoordinatorCluster.start(settings, CoordinatorCluster.START_TIMEOUT)))
                    .isInstanceOf(CoordinatorException.class)
                    .hasMessageStartingWith("cannot start the coordinators' cluster member: port " + taken.getLocalPort()
                            + " on 127.0.0.1 is in use (another coordinator or program); choose another cluster "
                            + "port, or 0 for the first free one from 5701")
                    .extracting(e -> ((CoordinatorException) e).reason())
                    .isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION);
        }
    }

    @Test
    void settings_are_checked() {
        assertThatThrownBy(() -> new CoordinatorCluster.Settings(name, "127.0.0.1", 70_000, List.of(), 1))
                .hasMessage("port must be 0..65535, was 70000");
        assertThatThrownBy(() -> new CoordinatorCluster.Settings(name, "127.0.0.1", 0, List.of(), 0))
                .hasMessage("clusterSize must be >= 1, was 0");
        assertThat(new CoordinatorCluster.Settings(name, "127.0.0.1", 0, List.of(), 4).majority()).isEqualTo(3);
    }
}
