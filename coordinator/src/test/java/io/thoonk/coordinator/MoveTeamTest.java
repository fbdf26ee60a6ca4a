package io.thoonk.coordinator;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Team moves on real coordinators, ZooKeeper and redis-server shards (a primary and a replica
 * each), data written with the contract's scripts: a whole team moved and the directory switched,
 * cancels in COPYING and CATCHING_UP, a leader closed mid-move (before and after the switch), the
 * target's primary killed mid-move, and bad requests.
 */
class MoveTeamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TEAM = "7";

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    RedisShard s1;
    RedisShard s2;
    final AtomicInteger requests = new AtomicInteger();

    /** A coordinator calling {@code hook} at the phases of its moves. */
    Coordinator start(String id, Mover.PhaseHook hook) throws Exception {
        return coordinators.own(Coordinator.start(coordinators.config(id).build(), null, Promoter.PhaseHook.NONE,
                hook));
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** Two shards, team 7 placed on s1 with objects of every type. */
    void setUp(Coordinator c) {
        s1 = coordinators.own(RedisShard.start(1));
        s2 = coordinators.own(RedisShard.start(1));
        for (var e : Map.of("s1", s1, "s2", s2).entrySet()) {
            admin(c).addShard(AddShardRequest.newBuilder().setId(e.getKey()).setPrimary(e.getValue().primaryAddress())
                    .addAllReplicas(e.getValue().replicaAddresses()).build());
        }
        admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(TEAM).setShardId("s1").build());
        try (ScriptWriter w = new ScriptWriter(s1, requests)) {
            for (int i = 0; i < 100; i++) {
                w.run(Script.FEED, "feed", "team:7:news", "publish", "n" + i, "item " + i);
                w.run(Script.SORTED_FEED, "sorted_feed", "team:7:list", "append", "", "entry " + i, "", "", "");
                w.run(Script.QUEUE, "queue", "team:7:work", "put", "q" + i, "task " + i, "");
                w.run(Script.JOBS, "job", "team:7:jobs", "put", "j" + i, "payload " + i, "");
            }
            w.run(Script.JOBS, "job", "team:7:jobs", "claim");
            w.run(Script.FEED, "feed", "team:8:other", "publish", "x", "another team");
        }
    }

    static Map<String, String> fence(RedisShard shard) {
        RedisClient client = RedisClient.create(shard.primary().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().hgetall(Keys.fence(TEAM));
        } finally {
            client.shutdown();
        }
    }

    static long teamKeys(RedisShard shard) {
        RedisClient client = RedisClient.create(shard.primary().uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys("*team:7:*").size() + c.sync().keys(Keys.request(TEAM, "*")).size()
                    + c.sync().exists(Keys.teamObjects(TEAM), Keys.teamRequests(TEAM));
        } finally {
            client.shutdown();
        }
    }

    /** Starts MoveTeam on {@code c}; every progress message lands in the queue. */
    BlockingQueue<Object> move(Coordinator c, String target) {
        return startMove(coordinators.channel(c), TEAM, target, Duration.ofSeconds(60));
    }

    /**
     * Starts MoveTeam of {@code team} to {@code target} through {@code channel}; every progress
     * message lands in the queue, then "completed" or the error.
     */
    static BlockingQueue<Object> startMove(io.grpc.Channel channel, String team, String target, Duration deadline) {
        BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        AdminGrpc.newStub(channel).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).moveTeam(
                MoveTeamRequest.newBuilder().setTeam(team).setTargetShardId(target).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(MoveProgress value) {
                        messages.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        messages.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        messages.add("completed");
                    }
                });
        return messages;
    }

    /** The messages until the stream ends; the last progress is the final one. */
    static List<MoveProgress> drain(BlockingQueue<Object> messages) throws InterruptedException {
        List<MoveProgress> out = new ArrayList<>();
        while (true) {
            Object m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).as("a message of the MoveTeam stream within %s", WAIT).isNotNull();
            if (m instanceof MoveProgress p) {
                out.add(p);
            } else if (m instanceof Throwable t) {
                throw new AssertionError("MoveTeam failed", t);
            } else {
                return out;
            }
        }
    }

    /** Waits for a message matching {@code phase} (and, if given, an outcome starting with {@code outcome}). */
    static MoveProgress awaitMessage(BlockingQueue<Object> messages, MovePhase phase, String outcome)
            throws InterruptedException {
        while (true) {
            Object m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(m).as("a %s message", phase).isInstanceOf(MoveProgress.class);
            MoveProgress p = (MoveProgress) m;
            if (p.getPhase() == phase && (outcome == null || p.getOutcome().startsWith(outcome))) {
                return p;
            }
        }
    }

    TeamPlacement placement(Coordinator c) {
        return admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(TEAM).build()).getPlacement();
    }

    @Test
    void a_team_with_every_object_type_moves_and_the_directory_names_the_target_at_a_higher_epoch() throws Exception {
        Coordinator c = start("c1", Mover.PhaseHook.NONE);
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        setUp(c);
        Map<String, String> before;
        try (ScriptWriter w = new ScriptWriter(s1, requests)) {
            before = w.sync().hgetall(Keys.items("team:7:news"));
        }

        List<MoveProgress> progress = drain(move(c, "s2"));

        MoveProgress last = progress.get(progress.size() - 1);
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
        assertThat(progress.stream().map(MoveProgress::getPhase).distinct()).containsSubsequence(
                MovePhase.MOVE_PREPARING, MovePhase.MOVE_COPYING, MovePhase.MOVE_CATCHING_UP, MovePhase.MOVE_VERIFYING,
                MovePhase.MOVE_SWITCHING, MovePhase.MOVE_DONE);
        assertThat(last.getObjectsTotal()).isEqualTo(4);
        assertThat(last.getObjectsCopied()).isEqualTo(4);
        assertThat(last.getBytesCopied()).isPositive();
        assertThat(last.getEpoch()).isEqualTo(2);
        TeamPlacement placement = placement(c);
        assertThat(placement.getShardId()).isEqualTo("s2");
        assertThat(placement.getEpoch()).isEqualTo(2);
        assertThat(fence(s2)).containsEntry("state", "active").containsEntry("epoch", "2");
        assertThat(fence(s1)).containsEntry("state", "moved").containsEntry("epoch", "2");
        try (ScriptWriter w = new ScriptWriter(s2, requests)) {
            assertThat(w.sync().hgetall(Keys.items("team:7:news"))).isEqualTo(before);
            assertThat(w.sync().llen(Keys.ids("team:7:work"))).isEqualTo(100);
            assertThat(w.sync().zcard(Keys.claimed("team:7:jobs"))).isEqualTo(1);
            assertThat(w.sync().smembers(Keys.FEEDS)).containsExactlyInAnyOrder("team:7:news", "team:7:list",
                    "team:7:work", "team:7:jobs");
            assertThat(w.sync().exists(Keys.request(TEAM, "r1"))).isOne();
        }
        assertThat(teamKeys(s1)).as("team 7 keys left on s1").isZero();
        try (ScriptWriter w = new ScriptWriter(s1, requests)) {
            assertThat(w.sync().exists(Keys.items("team:8:other"))).as("another team stays").isOne();
        }
        ListMovesResponse moves = admin(c).listMoves(ListMovesRequest.getDefaultInstance());
        assertThat(moves.getActiveList()).isEmpty();
        assertThat(moves.getHistoryList()).hasSize(1);
        MoveProgress recorded = moves.getHistory(0);
        assertThat(recorded.getPhase()).isEqualTo(MovePhase.MOVE_DONE);
        assertThat(recorded.getWritePauseMillis()).isPositive().isLessThan(5_000);
        System.out.printf("moved team 7 (4 objects, %d bytes) in %d ms; write pause %d ms%n",
                recorded.getBytesCopied(), recorded.getElapsedMillis(), recorded.getWritePauseMillis());
    }

    /** A hook that stops the move at {@code at} until released. */
    static final class Gate implements Mover.PhaseHook {
        final MovePhase at;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        Gate(MovePhase at) {
            this.at = at;
        }

        @Override
        public void reached(MovePhase phase, MoveProgress progress) throws InterruptedException {
            if (phase == at) {
                reached.countDown();
                release.await(60, TimeUnit.SECONDS);
            }
        }

        void awaitReached() throws InterruptedException {
            assertThat(reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the move reached %s", at).isTrue();
        }
    }

    void cancelAt(MovePhase at) throws Exception {
        Gate gate = new Gate(at);
        Coordinator c = start("c1", gate);
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        setUp(c);
        BlockingQueue<Object> messages = move(c, "s2");
        gate.awaitReached();
        if (at == MovePhase.MOVE_CATCHING_UP) {
            assertThat(fence(s1)).containsEntry("state", "frozen");
        }
        var cancel = AdminGrpc.newFutureStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .cancelMove(CancelMoveRequest.newBuilder().setTeam(TEAM).build());
        awaitMessage(messages, at, "cancel requested");
        long cancelled = System.nanoTime();
        gate.release.countDown();

        await().atMost(Duration.ofSeconds(1)).until(() -> "active".equals(fence(s1).get("state")));
        long writableAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cancelled);
        MoveProgress last = cancel.get(30, TimeUnit.SECONDS).getProgress();
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_CANCELLED);
        assertThat(fence(s1)).containsEntry("epoch", "1");
        assertThat(placement(c).getShardId()).isEqualTo("s1");
        assertThat(placement(c).getEpoch()).isEqualTo(1);
        assertThat(teamKeys(s2)).as("team 7 keys left on s2").isZero();
        assertThat(fence(s2)).doesNotContainEntry("state", "active");
        assertThat(admin(c).listMoves(ListMovesRequest.getDefaultInstance()).getHistory(0).getPhase())
                .isEqualTo(MovePhase.MOVE_CANCELLED);
        System.out.printf("cancelled in %s: writable on the source %d ms after the cancel reached the move%n", at,
                writableAfter);
    }

    @Test
    void a_move_cancelled_while_copying_leaves_the_team_on_its_source_and_nothing_on_the_target() throws Exception {
        cancelAt(MovePhase.MOVE_COPYING);
    }

    @Test
    void a_move_cancelled_while_the_team_is_frozen_makes_it_writable_on_the_source_within_a_second()
            throws Exception {
        cancelAt(MovePhase.MOVE_CATCHING_UP);
    }

    @Test
    void a_leader_closed_while_the_team_is_frozen_is_replaced_by_one_that_rolls_the_move_back() throws Exception {
        Gate gate = new Gate(MovePhase.MOVE_CATCHING_UP);
        Coordinator c1 = start("c1", gate);
        c1.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        Coordinator c2 = start("c2", Mover.PhaseHook.NONE);
        setUp(c1);
        move(c1, "s2");
        gate.awaitReached();
        assertThat(fence(s1)).containsEntry("state", "frozen");

        c1.close();

        c2.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        await().atMost(WAIT).until(() -> !admin(c2).listMoves(ListMovesRequest.getDefaultInstance())
                .getHistoryList().isEmpty());
        MoveProgress last = admin(c2).listMoves(ListMovesRequest.getDefaultInstance()).getHistory(0);
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_ROLLED_BACK);
        assertThat(last.getOutcome()).contains("leader stopped");
        assertThat(fence(s1)).containsEntry("state", "active").containsEntry("epoch", "1");
        assertThat(placement(c2).getShardId()).isEqualTo("s1");
        assertThat(teamKeys(s2)).isZero();
    }

    @Test
    void a_leader_closed_after_the_switch_is_replaced_by_one_that_finishes_the_move() throws Exception {
        Gate gate = new Gate(MovePhase.MOVE_CLEANING_UP);
        Coordinator c1 = start("c1", gate);
        c1.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        Coordinator c2 = start("c2", Mover.PhaseHook.NONE);
        setUp(c1);
        move(c1, "s2");
        gate.awaitReached();

        c1.close();

        c2.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        await().atMost(WAIT).until(() -> !admin(c2).listMoves(ListMovesRequest.getDefaultInstance())
                .getHistoryList().isEmpty());
        MoveProgress last = admin(c2).listMoves(ListMovesRequest.getDefaultInstance()).getHistory(0);
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
        assertThat(placement(c2).getShardId()).isEqualTo("s2");
        assertThat(fence(s1)).containsEntry("state", "moved");
        assertThat(fence(s2)).containsEntry("state", "active").containsEntry("epoch", "2");
        assertThat(teamKeys(s1)).isZero();
    }

    @Test
    void killing_the_target_primary_mid_move_rolls_the_move_back() throws Exception {
        Gate gate = new Gate(MovePhase.MOVE_COPYING);
        Coordinator c = start("c1", gate);
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        setUp(c);
        BlockingQueue<Object> messages = move(c, "s2");
        gate.awaitReached();

        s2.primary().kill();
        gate.release.countDown();

        List<MoveProgress> progress = drain(messages);
        MoveProgress last = progress.get(progress.size() - 1);
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_ROLLED_BACK);
        // in words: the shard and what happened there, no Java class names
        assertThat(last.getOutcome()).contains("shard 's2'").doesNotContain("io.lettuce").doesNotContain("Exception");
        assertThat(fence(s1)).containsEntry("state", "active").containsEntry("epoch", "1");
        assertThat(placement(c).getShardId()).isEqualTo("s1");
    }

    @Test
    void bad_moves_are_refused_with_clear_errors() throws Exception {
        Gate gate = new Gate(MovePhase.MOVE_COPYING);
        Coordinator c = start("c1", gate);
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        setUp(c);

        assertThatThrownBy(() -> admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam("nope").setTargetShardId("s2")
                .build()).next()).isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("NOT_FOUND").hasMessageContaining("team 'nope' is not placed");
        assertThatThrownBy(() -> admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam(TEAM).setTargetShardId("s9")
                .build()).next()).hasMessageContaining("NOT_FOUND").hasMessageContaining("no shard 's9'");
        assertThatThrownBy(() -> admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam(TEAM).setTargetShardId("s1")
                .build()).next()).hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("already lives on");
        assertThatThrownBy(() -> admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam("team:7:x")
                .setTargetShardId("s2").build()).next()).hasMessageContaining("INVALID_ARGUMENT");
        assertThatThrownBy(() -> admin(c).cancelMove(CancelMoveRequest.newBuilder().setTeam(TEAM).build()))
                .hasMessageContaining("NOT_FOUND").hasMessageContaining("not being moved");
        assertThatThrownBy(() -> admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(TEAM).setShardId("s2")
                .build())).hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("MoveTeam");

        move(c, "s2");
        gate.awaitReached();
        assertThatThrownBy(() -> admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam(TEAM).setTargetShardId("s2")
                .build()).next()).hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("being moved already");
        assertThat(admin(c).listMoves(ListMovesRequest.getDefaultInstance()).getActiveList()).singleElement()
                .satisfies(m -> assertThat(m.getPhase()).isEqualTo(MovePhase.MOVE_COPYING));
        gate.release.countDown();
    }
}
