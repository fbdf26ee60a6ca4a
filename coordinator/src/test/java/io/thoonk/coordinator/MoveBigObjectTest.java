package io.thoonk.coordinator;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Moves of a team holding one big feed (many pages of the copy) on real coordinators, ZooKeeper
 * and redis-server shards (a primary and a replica each): written all along the move with a short
 * history, it moves with every acknowledged write on the target and a write pause under the
 * budget; a frozen phase over its budget rolls back in plain words with the team writable on its
 * source; a cancel is noticed within a page or two of a long copy.
 */
class MoveBigObjectTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String TEAM = "7";
    private static final String BIG = "team:7:big";

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    RedisShard s1;
    RedisShard s2;

    Coordinator start(CoordinatorConfig.Builder config, Mover.PhaseHook hook) throws Exception {
        Coordinator c = coordinators.own(Coordinator.start(config.build(), null, Promoter.PhaseHook.NONE, hook));
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        return c;
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** Two shards, team 7 placed on s1 holding one feed of {@code items} items and a history of 10. */
    void setUp(Coordinator c, int items) {
        s1 = coordinators.own(RedisShard.start(1));
        s2 = coordinators.own(RedisShard.start(1));
        for (var e : Map.of("s1", s1, "s2", s2).entrySet()) {
            admin(c).addShard(AddShardRequest.newBuilder().setId(e.getKey()).setPrimary(e.getValue().primaryAddress())
                    .addAllReplicas(e.getValue().replicaAddresses()).build());
        }
        admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(TEAM).setShardId("s1").build());
        try (ScriptWriter w = new ScriptWriter(s1)) {
            w.sync().hset(Keys.config(BIG), "history_length", "10");
            for (int from = 0; from < items; from += 500) {
                List<String> publish = new ArrayList<>(List.of("publish"));
                for (int i = from; i < Math.min(items, from + 500); i++) {
                    publish.add(id(i));
                    publish.add(item(i));
                }
                w.run(Script.FEED, "feed", BIG, publish.toArray(String[]::new));
            }
        }
    }

    static String id(int i) {
        return "b" + i;
    }

    static String item(int i) {
        return "item " + i + " of the big feed, 0123456789";
    }

    /** Starts MoveTeam to s2; every progress message lands in the queue, then "completed" or the error. */
    BlockingQueue<Object> move(Coordinator c) {
        return MoveTeamTest.startMove(coordinators.channel(c), TEAM, "s2", Duration.ofSeconds(120));
    }

    /** The final progress of the move, once its stream ends. */
    static MoveProgress last(BlockingQueue<Object> messages) throws InterruptedException {
        MoveProgress last = null;
        while (true) {
            Object m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).as("a message of the MoveTeam stream within %s", WAIT).isNotNull();
            if (m instanceof MoveProgress p) {
                last = p;
            } else if (m instanceof Throwable t) {
                throw new AssertionError("MoveTeam failed", t);
            } else {
                assertThat(last).isNotNull();
                return last;
            }
        }
    }

    static Map<String, String> hgetall(RedisShard shard, String key) {
        RedisClient client = RedisClient.create(shard.primary().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().hgetall(key);
        } finally {
            client.shutdown();
        }
    }

    static long exists(RedisShard shard, String key) {
        RedisClient client = RedisClient.create(shard.primary().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().exists(key);
        } finally {
            client.shutdown();
        }
    }

    /**
     * Publishes to the big feed on s1 one write at a time, as a client routed there would: waits
     * and retries while the team is frozen, stops once it moved; remembers every acknowledged write.
     */
    static final class Writer {
        final Map<String, String> acknowledged = new ConcurrentHashMap<>();
        final AtomicInteger written = new AtomicInteger();
        final AtomicInteger refusedFrozen = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Void> done;

        Writer(RedisShard shard) {
            done = CompletableFuture.runAsync(() -> {
                try (ScriptWriter w = new ScriptWriter(shard)) {
                    int n = 0;
                    while (!stop.get()) {
                        String id = id(n * 7 % 60_000);
                        String value = "write " + n;
                        try {
                            w.run(Script.FEED, "feed", BIG, "publish", id, value);
                        } catch (CompletionException e) {
                            String refusal = String.valueOf(e.getCause().getMessage());
                            if (refusal.startsWith("FENCED frozen")) {
                                // refused, nothing written: the routing client waits a moment and retries
                                refusedFrozen.incrementAndGet();
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                                continue;
                            }
                            if (refusal.startsWith("FENCED moved")) {
                                return;
                            }
                            throw e;
                        }
                        acknowledged.put(id, value);
                        written.incrementAndGet();
                        n++;
                    }
                }
            });
        }
    }

    @Test
    void a_big_feed_written_all_along_moves_with_every_acknowledged_write_and_a_write_pause_under_the_budget()
            throws Exception {
        Coordinator c = start(coordinators.config("c1").movePageSize(100), Mover.PhaseHook.NONE);
        setUp(c, 50_000);
        Writer writer = new Writer(s1);
        await().atMost(WAIT).until(() -> writer.written.get() >= 100);
        int writtenBefore = writer.written.get();

        MoveProgress last = last(move(c));

        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
        writer.done.get(30, TimeUnit.SECONDS); // it stops at the first FENCED moved
        assertThat(writer.written.get()).as("writes acknowledged during the move").isGreaterThan(writtenBefore);
        Map<String, String> onTarget = hgetall(s2, Keys.items(BIG));
        writer.acknowledged.forEach((id, value) -> assertThat(onTarget.get(id)).as(id).isEqualTo(value));
        int expected = 50_000 + (int) writer.acknowledged.keySet().stream()
                .filter(id -> Integer.parseInt(id.substring(1)) >= 50_000).count();
        assertThat(onTarget).hasSize(expected);
        assertThat(onTarget.get(id(1))).isEqualTo(writer.acknowledged.getOrDefault(id(1), item(1)));
        MoveProgress recorded = admin(c).listMoves(ListMovesRequest.getDefaultInstance()).getHistory(0);
        assertThat(recorded.getWritePauseMillis()).as("write pause, ms").isPositive()
                .isLessThan(Mover.Settings.DEFAULT_MAX_WRITE_PAUSE.toMillis());
        assertThat(hgetall(s1, Keys.fence(TEAM))).isEqualTo(new TeamFence(TEAM, TeamFence.State.MOVED, 2).fields());
        assertThat(exists(s1, Keys.teamChanges(TEAM))).as("the change log on the source").isZero();
        System.out.printf("moved a feed of 50,000 items written all along (%d writes acknowledged, %d refused frozen) "
                        + "in %d ms; write pause %d ms; %d bytes copied%n", writer.written.get(),
                writer.refusedFrozen.get(), recorded.getElapsedMillis(), recorded.getWritePauseMillis(),
                recorded.getBytesCopied());
    }

    @Test
    void a_frozen_phase_over_its_write_pause_budget_rolls_back_in_plain_words_and_the_team_is_writable_again()
            throws Exception {
        // the budget: 1 ms; the hook makes sure the frozen phase takes longer than that
        Mover.PhaseHook slowWhileFrozen = (phase, progress) -> {
            if (phase == MovePhase.MOVE_CATCHING_UP) {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
                while (System.nanoTime() < until) {
                    LockSupport.parkNanos(until - System.nanoTime());
                }
            }
        };
        Coordinator c = start(coordinators.config("c1").movePageSize(100).maxWritePause(Duration.ofMillis(1)),
                slowWhileFrozen);
        setUp(c, 1_000);

        MoveProgress last = last(move(c));

        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_ROLLED_BACK);
        assertThat(last.getOutcome()).startsWith("rolled back in phase MOVE_CATCHING_UP: the final catch-up of team "
                + "'7' did not finish within 1 ms of write pause").contains("the team is writable again on shard 's1'")
                .contains("maxWritePause").doesNotContain("Exception").doesNotContain("io.lettuce");
        assertThat(hgetall(s1, Keys.fence(TEAM))).as("the source's fence, capture switched off")
                .isEqualTo(TeamFence.active(TEAM, 1).fields());
        assertThat(exists(s1, Keys.teamChanges(TEAM))).as("the change log on the source").isZero();
        try (ScriptWriter w = new ScriptWriter(s1)) {
            w.run(Script.FEED, "feed", BIG, "publish", "after", "the rollback");
            assertThat(w.sync().hget(Keys.items(BIG), "after")).isEqualTo("the rollback");
        }
        assertThat(admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(TEAM).build()).getPlacement().getShardId())
                .isEqualTo("s1");
        assertThat(exists(s2, Keys.items(BIG))).as("the copy on the target").isZero();
    }

    @Test
    void a_cancel_during_a_long_copy_is_noticed_within_a_page_or_two() throws Exception {
        Coordinator c = start(coordinators.config("c1").movePageSize(100), Mover.PhaseHook.NONE);
        setUp(c, 50_000);
        long itemBytes = 0;
        for (int i = 0; i < 50_000; i++) {
            itemBytes += id(i).length() + item(i).length();
        }
        BlockingQueue<Object> messages = move(c);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(2)).until(() -> admin(c).listMoves(
                ListMovesRequest.getDefaultInstance()).getActiveList().stream()
                .anyMatch(m -> m.getBytesCopied() > 0));

        MoveProgress cancelled = admin(c).cancelMove(CancelMoveRequest.newBuilder().setTeam(TEAM).build())
                .getProgress();

        assertThat(cancelled.getPhase()).as(cancelled.getOutcome()).isEqualTo(MovePhase.MOVE_CANCELLED);
        assertThat(cancelled.getBytesCopied()).as("bytes copied before the cancel was noticed (of %d in the items "
                + "alone)", itemBytes).isPositive().isLessThan(itemBytes / 2);
        assertThat(last(messages).getPhase()).isEqualTo(MovePhase.MOVE_CANCELLED);
        assertThat(hgetall(s1, Keys.fence(TEAM))).isEqualTo(TeamFence.active(TEAM, 1).fields());
        assertThat(exists(s2, Keys.items(BIG))).isZero();
        System.out.printf("cancelled a copy of 50,000 items after %d bytes%n", cancelled.getBytesCopied());
    }
}
