package io.thoonk.it;

import io.thoonk.client.Durability;
import io.thoonk.client.Feed;
import io.thoonk.client.ReplicationUnavailableException;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkTimeoutException;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A shard loses its replicas, then its primary, under write load, with the real coordinators
 * deciding: first SHARD_DEGRADED (writes go on, acknowledged by the primary alone; a write asking
 * for replication is refused before writing), then SHARD_FAILED (nothing to promote; calls fail
 * within their deadline saying why). The other shard's teams notice nothing.
 */
class ShardDegradationTest {

    private static final Logger log = LoggerFactory.getLogger(ShardDegradationTest.class);

    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(FaultCluster.builder());

    static final Duration DEADLINE = Duration.ofSeconds(2);
    /** What a call may take beyond its deadline: the client's timer and a loaded machine. */
    static final Duration SLACK = Duration.ofMillis(500);
    static final Duration WAIT = Duration.ofSeconds(20);
    /** How much later than the test the client may learn of a change of the shard's record. */
    static final Duration LEARN = Duration.ofMillis(500);
    static final int RATE = 125;

    static void awaitAcks(WriteLoad load, long since, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(10)).until(() -> load.ackedIssuedAfter(since) >= count);
    }

    @Test
    void a_shard_without_replicas_is_degraded_and_writes_as_primary_then_failed_without_its_primary() throws Exception {
        FaultCluster cluster = new FaultCluster(local.cluster());
        Shard before = cluster.shard("s0");
        RedisProcess primary = cluster.node(before.getPrimary());
        RedisProcess replica = cluster.node(before.getReplicas(0));
        try (Thoonk thoonk = cluster.client(DEADLINE)) {
            List<Feed> faulty = cluster.feeds(thoonk, "s0", "1", "2", "3", "4");
            List<Feed> bystanders = cluster.feeds(thoonk, "s1", "11", "12");
            RevisionRecorder heard = new RevisionRecorder();
            List<Subscription> subscriptions = new ArrayList<>();
            faulty.forEach(f -> subscriptions.add(f.subscribe(1, heard)));
            WriteLoad load = new WriteLoad(faulty, RATE);
            WriteLoad bystander = new WriteLoad(bystanders, RATE);
            awaitAcks(load, 0, 200);

            // every replica down: DEGRADED with the reason, writes go on as PRIMARY
            replica.kill();
            long replicasDown = System.nanoTime();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.shard("s0").getState() == ShardState.SHARD_DEGRADED);
            long degradedAt = System.nanoTime();
            Shard degraded = cluster.shard("s0");
            assertThat(degraded.getStateReason()).contains("no live replica").contains(replica.address());
            assertThat(degraded.getEpoch()).isEqualTo(before.getEpoch());
            awaitAcks(load, degradedAt, 200);
            assertThatThrownBy(() -> faulty.get(0).withDurability(Durability.REPLICATED).publish("x", "refused"))
                    .isInstanceOf(ReplicationUnavailableException.class).hasMessageContaining("'s0'")
                    .hasMessageContaining("no live replica");
            assertThat(primary.call("HGET feed.items:" + faulty.get(0).name() + " refused")).isNull();
            load.stop(WAIT);
            Map<String, Long> last = load.assertAcknowledgedOnceOn(primary);
            last.forEach((feed, revision) -> heard.assertHeardOnce(feed, revision, WAIT));
            subscriptions.forEach(Subscription::close);
            // REPLICATED writes in flight when the replica died: their WAITs time out (a failover could lose
            // them): WriteOutcomeUnknownException, or the call's deadline when the second WAIT ends with it
            assertThat(load.failures()).allSatisfy(f -> {
                // issued before the client heard of DEGRADED (through Watch, moments after the test saw it)
                assertThat(f.issuedNanos()).isLessThan(degradedAt + LEARN.toNanos());
                assertThat(f.error()).isInstanceOf(ThoonkTimeoutException.class).hasMessageContaining(f.feed());
                assertThat(f.took()).isLessThan(DEADLINE.plus(SLACK));
            });
            log.info("replica killed: DEGRADED after {} ms ({}); {} writes acknowledged, none lost, {} as PRIMARY once "
                            + "DEGRADED; calls in flight at the fault that failed: {}", (degradedAt - replicasDown) / 1_000_000,
                    degraded.getStateReason(), load.acks().size(), load.ackedIssuedAfter(degradedAt),
                    load.failures().stream().map(f -> f.id() + " after " + f.took().toMillis() + " ms: "
                            + f.error().getMessage()).toList());

            // and the primary: nothing to promote, FAILED with the reason; calls fail within their deadline
            WriteLoad doomed = new WriteLoad(faulty, RATE);
            awaitAcks(doomed, 0, 50);
            primary.kill();
            long fault = System.nanoTime();
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> cluster.shard("s0").getState() == ShardState.SHARD_FAILED);
            long failedAt = System.nanoTime();
            Shard failed = cluster.shard("s0");
            assertThat(failed.getPrimary()).isEqualTo(primary.address());
            assertThat(failed.getEpoch()).isEqualTo(before.getEpoch());
            assertThat(failed.getStateReason()).startsWith("primary " + primary.address() + " down since ")
                    .contains("no replica to promote");
            await().atMost(WAIT).until(() -> doomed.failures().stream().filter(f -> f.issuedNanos() > failedAt)
                    .count() >= faulty.size());
            doomed.stop(WAIT);
            List<WriteLoad.Failure> failures = doomed.failures().stream().filter(f -> f.issuedNanos() > fault).toList();
            assertThat(doomed.ackedIssuedAfter(fault)).as("writes acknowledged by a dead primary").isZero();
            assertThat(failures).allSatisfy(f -> {
                assertThat(f.error()).isInstanceOf(ThoonkTimeoutException.class).hasMessageContaining(f.feed());
                assertThat(f.took()).isLessThan(DEADLINE.plus(SLACK));
            });
            assertThat(failures).filteredOn(f -> f.issuedNanos() > failedAt).allSatisfy(f ->
                    assertThat(f.error()).hasMessageContaining("shard 's0' is SHARD_FAILED: ")
                            .hasMessageContaining(failed.getStateReason()));
            bystander.stop(WAIT);
            assertThat(bystander.failures()).as("failures of s1's writers").isEmpty();
            bystander.assertAcknowledgedOnceOn(cluster.primary("s1"));
            log.info("primary killed too: FAILED after {} ms ({}); calls failed within {} ms of being issued: {}",
                    (failedAt - fault) / 1_000_000, failed.getStateReason(),
                    failures.stream().mapToLong(f -> f.took().toMillis()).max().orElse(0),
                    failures.get(failures.size() - 1).error().getMessage());
        }
    }
}
