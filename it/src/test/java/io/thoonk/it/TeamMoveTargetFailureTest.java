package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static io.thoonk.it.MoveScenario.assertEveryAckOnceOn;
import static io.thoonk.it.MoveScenario.awaitAcks;
import static io.thoonk.it.MoveScenario.longestAckGap;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A team move whose target's primary is killed (SIGKILL) while the move copies, under live load:
 * the move rolls back and the team stays writable on its source with every acknowledged write
 * there. The shards are started per test (an instance-field extension): this one kills one.
 */
class TeamMoveTargetFailureTest {

    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().coordinators(3)
            .shards("s1", "s2").replicasPerShard(1));

    @Test
    void killing_the_target_primary_while_copying_rolls_the_move_back_and_the_team_stays_writable_on_its_source()
            throws Exception {
        LocalCluster cluster = local.cluster();
        RedisProcess target = cluster.shard("s2").primary();
        try (MoveScenario scenario = new MoveScenario(cluster);
             ShardReader s1 = new ShardReader(cluster.shard("s1").primary())) {
            scenario.place("7", "s1");
            List<Feed> feeds = scenario.feeds("team:7:a", "team:7:b");
            MoveScenario.fill(feeds, 2_000);
            try (WriteLoad load = new WriteLoad(feeds, 200)) {
                awaitAcks(load, 100);
                MoveCall move = MoveCall.start(scenario.leader(), "7", "s2");
                move.await(MovePhase.MOVE_COPYING);
                target.call("CLIENT PAUSE 20000 WRITE"); // the copy waits on the target: it dies mid-copy
                long killed = System.nanoTime();
                target.kill();

                MoveProgress last = move.finish();
                awaitAcks(load, 100);
                load.stop(Duration.ofSeconds(30));

                assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_ROLLED_BACK);
                assertThat(load.failures()).as("failed writes").isEmpty();
                for (Feed feed : feeds) {
                    assertEveryAckOnceOn(s1, load, feed.name());
                }
                assertThat(scenario.placement("7").getShardId()).isEqualTo("s1");
                assertThat(scenario.placement("7").getEpoch()).isEqualTo(1);
                assertThat(s1.fence("7")).containsEntry("state", "active").containsEntry("epoch", "1");
                assertThat(feeds.get(0).publish("after the rollback").revision()).isPositive();
                System.out.printf("target primary killed while copying: %s after %d ms (%s); longest gap between a "
                                + "writer's acks %d ms%n", last.getPhase(), Duration.ofNanos(System.nanoTime() - killed)
                                .toMillis(), last.getOutcome(),
                        feeds.stream().map(f -> longestAckGap(load, f.name(), killed)).max(Duration::compareTo)
                                .orElseThrow().toMillis());
            }
        }
    }
}
