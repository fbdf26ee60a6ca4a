package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.contract.Keys;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static io.thoonk.it.MoveScenario.awaitAcks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A second move onto a shard whose promoted replica kept a partial copy of the team: the first
 * move of the team from s1 to s2 is cut off mid-copy by killing s2's primary (SIGKILL), so s2's
 * replica, promoted, holds part of the team's objects and the team's fence there frozen; the move
 * rolls back (the copy on s2 cannot be deleted while s2 fails over). Items that copy holds are then
 * retracted on the source, and one of its feeds deleted there, and once s2 is active again (its old primary back as a replica) the team
 * is moved there again, under load: s2 must then hold exactly the source's data, nothing left over
 * from the first copy, and every acknowledged write once. The shards are started per test (an
 * instance-field extension): it kills one.
 */
class TeamMoveOntoPartialCopyTest {

    static final String TEAM = "8";
    static final List<String> FEEDS = IntStream.range(0, 6).mapToObj(i -> "team:8:f" + i).toList();
    /** Items per feed before the moves: pre-0 .. pre-1499, so the items hashes are copied in pages. */
    static final int ITEMS = 1_500;
    /** pre-0 .. pre-199 of every feed are retracted between the moves. */
    static final int RETRACTED = 200;

    @RegisterExtension
    final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().coordinators(3)
            .shards("s1", "s2").replicasPerShard(1));

    @Test
    void a_second_move_onto_a_shard_whose_promoted_replica_kept_a_partial_copy_leaves_exactly_the_sources_data()
            throws Exception {
        LocalCluster cluster = local.cluster();
        FaultCluster faults = new FaultCluster(cluster);
        RedisProcess oldPrimary = cluster.shard("s2").primary();
        RedisProcess replica = cluster.shard("s2").replicas().get(0);
        try (MoveScenario scenario = new MoveScenario(cluster);
             ShardReader source = new ShardReader(cluster.shard("s1").primary())) {
            scenario.place(TEAM, "s1");
            List<Feed> feeds = scenario.feeds(FEEDS.toArray(String[]::new));
            MoveScenario.fill(feeds, ITEMS);
            try (WriteLoad load = new WriteLoad(feeds.subList(0, 2), 200)) {
                awaitAcks(load, 50);

                // 1. the first move, its target's primary killed once part of the team is copied there
                MoveCall first = MoveCall.start(scenario.leader(), TEAM, "s2");
                first.await(MovePhase.MOVE_COPYING);
                try (ShardReader target = new ShardReader(oldPrimary)) {
                    // three of the six feeds begun: one at least that no writer uses
                    await("part of the team copied to s2").atMost(MoveCall.WAIT).pollInterval(Duration.ofMillis(1))
                            .until(() -> itemsHashesOn(target) >= 3);
                    oldPrimary.call("CLIENT PAUSE 20000 WRITE"); // the copy stops where it is
                    await("s2's replica has all its primary wrote").atMost(MoveCall.WAIT)
                            .until(() -> offset(replica, "slave_repl_offset") >= offset(oldPrimary, "master_repl_offset"));
                }
                oldPrimary.kill();
                MoveProgress rolledBack = first.finish();
                assertThat(rolledBack.getPhase()).as(rolledBack.getOutcome()).isEqualTo(MovePhase.MOVE_ROLLED_BACK);
                assertThat(rolledBack.getOutcome()).contains("in phase MOVE_COPYING");

                // 2. s2's replica promoted, with the partial copy; the old primary back as its replica
                await("s2's replica promoted").atMost(MoveCall.WAIT).until(() -> faults.shard("s2").getEpoch() == 2);
                assertThat(faults.shard("s2").getPrimary()).isEqualTo(replica.address());
                Map<String, Set<String>> leftover = new LinkedHashMap<>();
                try (ShardReader promoted = new ShardReader(replica)) {
                    for (String feed : FEEDS) {
                        leftover.put(feed, new TreeSet<>(promoted.sync().hkeys("feed.items:" + feed)));
                    }
                    assertThat(promoted.teamKeys(TEAM)).as("the partial copy on s2's new primary").isNotEmpty();
                    assertThat(leftover.values().stream().mapToInt(Set::size).sum()).as("items left on s2")
                            .isPositive();
                    assertThat(leftover.values().stream().mapToInt(Set::size).sum()).as("a partial copy")
                            .isLessThan(FEEDS.size() * ITEMS);
                }
                oldPrimary.restart();
                await("s2 active again").atMost(MoveCall.WAIT).until(() -> {
                    Shard s2 = faults.shard("s2");
                    return s2.getState() == ShardState.SHARD_ACTIVE && s2.getPrimary().equals(replica.address());
                });

                // 3. items of the partial copy retracted on the source, then the second move, under load
                Set<String> retracted = new HashSet<>();
                IntStream.range(0, RETRACTED).forEach(n -> retracted.add("pre-" + n));
                for (Feed feed : feeds) {
                    for (String id : retracted) {
                        assertThat(feed.retract(id)).as("retract %s of %s", id, feed.name()).isTrue();
                    }
                }
                assertThat(leftover.values()).as("the partial copy holds items retracted since")
                        .anySatisfy(items -> assertThat(items).containsAnyElementsOf(retracted));
                // a feed of the partial copy that no writer uses is deleted on the source
                String gone = FEEDS.subList(2, FEEDS.size()).stream().filter(f -> !leftover.get(f).isEmpty())
                        .findFirst().orElseThrow(() -> new AssertionError("no feed without a writer in the partial "
                                + "copy: " + leftover));
                assertThat(scenario.thoonk.registry().delete(gone)).isTrue();
                TreeSet<String> sourceObjectKeys = objectKeys(source);
                // a deleted object keeps its revision counter and its history (the delete event),
                // listed in the team's index of deleted names: the move carries them
                assertThat(sourceObjectKeys).contains(Keys.revision(gone), Keys.history(gone), Keys.teamDeleted(TEAM));
                assertThat(source.sync().smembers(Keys.teamDeleted(TEAM))).containsExactly(gone);
                String goneRevision = source.sync().get(Keys.revision(gone));
                List<String> goneHistory = history(source, gone);
                Set<String> sourceIndex = source.sync().smembers(Keys.teamObjects(TEAM));
                assertThat(sourceIndex).doesNotContain(gone).hasSize(FEEDS.size() - 1);
                MoveProgress second = MoveCall.start(scenario.leader(), TEAM, "s2").finish();
                awaitAcks(load, 50);
                load.stop(Duration.ofSeconds(30));

                assertThat(second.getPhase()).as(second.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
                TeamPlacement placement = scenario.placement(TEAM);
                assertThat(placement.getShardId()).isEqualTo("s2");
                assertThat(placement.getEpoch()).isEqualTo(2);
                assertThat(load.failures()).as("failed writes").isEmpty();
                try (ShardReader target = new ShardReader(replica)) {
                    assertThat(target.fence(TEAM)).containsEntry("state", "active").containsEntry("epoch", "2");
                    assertThat(objectKeys(target)).as("the team's keys on s2").isEqualTo(sourceObjectKeys);
                    assertThat(target.sync().smembers(Keys.teamObjects(TEAM))).isEqualTo(sourceIndex);
                    assertThat(target.sync().sismember(Keys.FEEDS, gone)).as("%s in 'feeds' on s2", gone).isFalse();
                    assertThat(target.sync().get(Keys.revision(gone))).as("revision of the deleted %s on s2", gone)
                            .isEqualTo(goneRevision);
                    assertThat(history(target, gone)).as("history of the deleted %s on s2", gone)
                            .isEqualTo(goneHistory);
                    assertThat(target.sync().smembers(Keys.teamDeleted(TEAM))).containsExactly(gone);
                    for (String feed : FEEDS) {
                        if (feed.equals(gone)) {
                            continue; // no key of it left: checked with the others above
                        }
                        Set<String> expected = new TreeSet<>();
                        IntStream.range(RETRACTED, ITEMS).forEach(n -> expected.add("pre-" + n));
                        expected.addAll(load.ackedIds(feed));
                        assertThat(new TreeSet<>(target.sync().hkeys("feed.items:" + feed))).as("items of %s on s2", feed)
                                .isEqualTo(expected);
                        List<String> history = target.historyIds(feed);
                        for (WriteLoad.Ack ack : load.acks()) {
                            if (ack.feed().equals(feed)) {
                                assertThat(history.get((int) ack.revision() - 1)).as("%s at revision %d", feed,
                                        ack.revision()).isEqualTo(ack.id());
                                assertThat(Collections.frequency(history, ack.id())).as("%s in %s's history", ack.id(),
                                        feed).isOne();
                            }
                        }
                        assertThat(history).as("history of %s on s2", feed).hasSize(ITEMS + RETRACTED
                                + load.ackedIds(feed).size());
                    }
                }
                assertThat(source.teamKeys(TEAM)).as("team keys left on s1").isEmpty();
                // created again on s2, the deleted feed goes on from its old revision
                assertThat(scenario.thoonk.feed(gone).publish("again").revision()).as("revision of %s created again",
                        gone).isEqualTo(Long.parseLong(goneRevision) + 1);
                assertThat(source.fence(TEAM)).containsEntry("state", "moved").containsEntry("epoch", "2");
                System.out.printf("first move: %s (%s); items it left on s2's promoted replica: %s; deleted on the "
                                + "source: %s; second move: %s in %d ms, write pause %d ms%n", rolledBack.getPhase(),
                        rolledBack.getOutcome(), leftover.entrySet().stream().map(e -> e.getKey() + "="
                                + e.getValue().size()).toList(), gone, second.getPhase(), second.getElapsedMillis(),
                        second.getWritePauseMillis());
            }
        }
    }

    /** How many of the team's items hashes exist on {@code shard}. */
    static long itemsHashesOn(ShardReader shard) {
        return shard.sync().exists(FEEDS.stream().map(f -> "feed.items:" + f).toArray(String[]::new));
    }

    /** The team's keys on {@code shard} but its request keys (each write leaves one, for a while). */
    /** The history entries of {@code feed} on {@code shard}: id and fields. */
    static List<String> history(ShardReader shard, String feed) {
        return shard.sync().xrange(Keys.history(feed), io.lettuce.core.Range.create("-", "+")).stream()
                .map(m -> m.getId() + m.getBody()).toList();
    }

    static TreeSet<String> objectKeys(ShardReader shard) {
        TreeSet<String> keys = new TreeSet<>(shard.teamKeys(TEAM));
        keys.removeIf(k -> k.startsWith(Keys.REQUEST_PREFIX));
        return keys;
    }

    /** A replication offset field of {@code node}'s {@code INFO replication}. */
    static long offset(RedisProcess node, String field) {
        return node.call("INFO replication").lines().filter(l -> l.startsWith(field + ":"))
                .mapToLong(l -> Long.parseLong(l.substring(field.length() + 1).trim())).findFirst().orElse(-1);
    }
}
