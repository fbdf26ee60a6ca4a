package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRequest;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A planned switchover ({@code Admin.Failover}, what {@code thoonk admin failover} calls) while a
 * routing client writes at a steady rate and subscribers listen: no write fails or is lost, and
 * writers pause well under a second.
 */
class SwitchoverUnderLoadTest {

    private static final Logger log = LoggerFactory.getLogger(SwitchoverUnderLoadTest.class);

    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(FaultCluster.builder());

    static final int RATE = 125;
    static final Duration WAIT = Duration.ofSeconds(20);
    /**
     * The longest pause a writer may see across the switchover: well under a second. Expected: the
     * write pause (the replica catching up, tens of ms) plus the directory push and the retry.
     */
    static final Duration PAUSE_BOUND = Duration.ofMillis(1_000);

    static void awaitAcks(WriteLoad load, long since, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> load.ackedIssuedAfter(since) >= count);
    }

    @Test
    void a_planned_switchover_under_load_loses_no_write_and_pauses_writers_briefly() throws Exception {
        FaultCluster cluster = new FaultCluster(local.cluster());
        Shard before = cluster.shard("s0");
        String replica = before.getReplicas(0);
        RedisProcess oldPrimary = cluster.node(before.getPrimary());
        try (Thoonk thoonk = cluster.client()) {
            List<Feed> feeds = cluster.feeds(thoonk, "s0", "1", "2", "3", "4");
            RevisionRecorder heard = new RevisionRecorder();
            List<Subscription> subscriptions = new ArrayList<>();
            feeds.forEach(f -> subscriptions.add(f.subscribe(1, heard)));
            WriteLoad load = new WriteLoad(feeds, RATE);
            awaitAcks(load, 0, 400);

            long start = System.nanoTime();
            FailoverResponse response = cluster.admin().failover(FailoverRequest.newBuilder().setShardId("s0").build());
            long answered = System.nanoTime();
            awaitAcks(load, answered, 400);
            load.stop(WAIT);

            assertThat(response.getShard().getPrimary()).isEqualTo(replica);
            assertThat(response.getShard().getEpoch()).isEqualTo(before.getEpoch() + 1);
            assertThat(response.getFailover().getKind()).isEqualTo(FailoverKind.FAILOVER_PLANNED);
            assertThat(load.failures()).as("failures of the writers").isEmpty();
            Map<String, Long> last = load.assertAcknowledgedOnceOn(cluster.node(replica));
            last.forEach((feed, revision) -> heard.assertHeardOnce(feed, revision, WAIT));
            subscriptions.forEach(Subscription::close);
            // the old primary follows the new one: the shard has a live replica again
            await().atMost(WAIT).until(() -> cluster.shard("s0").getState() == ShardState.SHARD_ACTIVE);
            assertThat(oldPrimary.call("ROLE")).startsWith("slave");

            Duration pause = load.longestAckGap(start, answered);
            log.info("planned switchover under load: Admin.Failover answered in {} ms (the coordinator's phases: "
                            + "promoted +{} published +{} ms); longest pause between two acks of a writer {} ms; {} "
                            + "writes acknowledged, none lost, items per feed {}", (answered - start) / 1_000_000,
                    response.getFailover().getPromotedMillis(), response.getFailover().getPublishedMillis(),
                    pause.toMillis(), load.acks().size(), last);
            assertThat(pause).as("longest pause between two acks of a writer").isLessThan(PAUSE_BOUND);
        }
    }
}
