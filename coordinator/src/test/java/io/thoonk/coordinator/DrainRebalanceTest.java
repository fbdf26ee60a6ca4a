package io.thoonk.coordinator;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.PlannedMove;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceRequest;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardLoad;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.UndrainShardRequest;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Draining and rebalancing on real coordinators, ZooKeeper and redis-server shards, with data
 * written through the contract's scripts: a drain of a shard of several teams (a pinned one among
 * them) after which RemoveShard succeeds, no new placements on a draining shard and undraining,
 * a drain stopped by cancelling its move and run again, a drain that goes on when its caller goes
 * away, a rebalance from three shards to four (dry run, then the real run), a memory plan, and bad
 * requests.
 */
class DrainRebalanceTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int ITEMS = 20;

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    final Map<String, RedisShard> shards = new LinkedHashMap<>();

    Coordinator leader(Mover.PhaseHook hook) throws Exception {
        Coordinator c = coordinators.own(Coordinator.start(coordinators.config("c1").build(), null,
                Promoter.PhaseHook.NONE, hook));
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        return c;
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    void addShard(Coordinator c, String id) {
        RedisShard shard = coordinators.own(RedisShard.start(0));
        shards.put(id, shard);
        admin(c).addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress()).build());
    }

    /** Places {@code team} on {@code shard} and publishes {@value #ITEMS} items to its feed there. */
    void placeWithData(Coordinator c, String team, String shard, boolean pin) {
        admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(team).setShardId(shard).setPin(pin).build());
        writeData(team, shard);
    }

    void writeData(String team, String shard) {
        try (ScriptWriter w = new ScriptWriter(shards.get(shard))) {
            for (int i = 0; i < ITEMS; i++) {
                w.run(Script.FEED, "feed", feed(team), "publish", "i" + i, "item " + i + " of team " + team);
            }
        }
    }

    static String feed(String team) {
        return "team:" + team + ":news";
    }

    /** The team's feed items on the shard's primary. */
    Map<String, String> items(String team, String shard) {
        try (ScriptWriter w = new ScriptWriter(shards.get(shard))) {
            return w.sync().hgetall(Keys.items(feed(team)));
        }
    }

    TeamPlacement placement(Coordinator c, String team) {
        return admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(team).build()).getPlacement();
    }

    Shard shard(Coordinator c, String id) {
        return admin(c).status(io.thoonk.proto.v1.StatusRequest.getDefaultInstance()).getShardsList().stream()
                .filter(s -> s.getId().equals(id)).findFirst().orElseThrow();
    }

    Map<String, Long> teamCounts(Coordinator c) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .listShards(ListShardsRequest.getDefaultInstance()).getShardsList().stream()
                .collect(Collectors.toMap(Shard::getId, Shard::getTeamCount, (a, b) -> a, LinkedHashMap::new));
    }

    String resolve(Coordinator c, String team) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam(team).build()).getPlacement().getShardId();
    }

    static <T> List<T> all(Iterator<T> stream) {
        List<T> out = new ArrayList<>();
        stream.forEachRemaining(out::add);
        return out;
    }

    List<DrainProgress> drain(Coordinator c, String shard, int concurrent) {
        return all(admin(c).drainShard(DrainShardRequest.newBuilder().setShardId(shard)
                .setMaxConcurrentMoves(concurrent).build()));
    }

    @Test
    void a_drained_shard_loses_every_team_with_its_data_and_is_then_removed() throws Exception {
        Coordinator c = leader(Mover.PhaseHook.NONE);
        for (String id : List.of("s1", "s2", "s3")) {
            addShard(c, id);
        }
        List<String> teams = List.of("a", "b", "c", "d", "e", "f");
        for (String team : teams) {
            placeWithData(c, team, "s1", team.equals("c"));
        }
        Map<String, Map<String, String>> before = new LinkedHashMap<>();
        teams.forEach(t -> before.put(t, items(t, "s1")));

        List<DrainProgress> progress = drain(c, "s1", 2);

        DrainProgress last = progress.get(progress.size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(last.getOutcome()).startsWith("drained: 6 team(s) moved");
        assertThat(last.getTeamsTotal()).isEqualTo(6);
        assertThat(last.getTeamsMoved()).isEqualTo(6);
        assertThat(progress).allSatisfy(p -> assertThat(p.getMovesCount()).isLessThanOrEqualTo(2));
        assertThat(progress).anySatisfy(p -> assertThat(p.getMovesCount()).isEqualTo(2));
        for (String team : teams) {
            TeamPlacement p = placement(c, team);
            assertThat(p.getShardId()).as("team %s", team).isIn("s2", "s3");
            assertThat(p.getEpoch()).isEqualTo(2);
            assertThat(items(team, p.getShardId())).as("team %s's items on %s", team, p.getShardId())
                    .hasSize(ITEMS).isEqualTo(before.get(team));
            assertThat(items(team, "s1")).as("team %s's items left on s1", team).isEmpty();
        }
        assertThat(placement(c, "c").getPinned()).as("a pinned team moves and stays pinned").isTrue();
        assertThat(teamCounts(c)).containsEntry("s1", 0L).containsEntry("s2", 3L).containsEntry("s3", 3L);
        assertThat(shard(c, "s1").getState()).isEqualTo(ShardState.SHARD_DRAINING);

        admin(c).removeShard(RemoveShardRequest.newBuilder().setId("s1").build());
        assertThat(teamCounts(c)).doesNotContainKey("s1");
    }

    @Test
    void a_draining_shard_gets_no_new_team_until_it_is_undrained() throws Exception {
        Coordinator c = leader(Mover.PhaseHook.NONE);
        addShard(c, "s1");
        addShard(c, "s2");

        DrainProgress last = last(drain(c, "s2", 0));
        assertThat(last.getDone()).isTrue();
        assertThat(last.getOutcome()).startsWith("drained: 0 team(s) moved");
        for (int i = 0; i < 6; i++) {
            assertThat(resolve(c, "new" + i)).as("team new%d", i).isEqualTo("s1");
        }
        assertThatThrownBy(() -> admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam("explicit")
                .setShardId("s2").build())).hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("shard 's2' is draining and takes no new teams");
        assertThatThrownBy(() -> admin(c).moveTeam(io.thoonk.proto.v1.MoveTeamRequest.newBuilder().setTeam("new0")
                .setTargetShardId("s2").build()).next()).hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("draining");

        Shard undrained = admin(c).undrainShard(UndrainShardRequest.newBuilder().setShardId("s2").build()).getShard();

        assertThat(undrained.getState()).isEqualTo(ShardState.SHARD_ACTIVE);
        assertThat(resolve(c, "later")).isEqualTo("s2");
        assertThatThrownBy(() -> admin(c).undrainShard(UndrainShardRequest.newBuilder().setShardId("s2").build()))
                .hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("is not draining");
    }

    @Test
    void cancelling_a_move_of_a_drain_stops_it_and_draining_again_finishes_it() throws Exception {
        MoveTeamTest.Gate gate = new MoveTeamTest.Gate(MovePhase.MOVE_COPYING);
        Coordinator c = leader(gate);
        addShard(c, "s1");
        addShard(c, "s2");
        for (String team : List.of("a", "b", "c")) {
            placeWithData(c, team, "s1", false);
        }
        Iterator<DrainProgress> stream = admin(c).drainShard(DrainShardRequest.newBuilder().setShardId("s1").build());
        assertThat(gate.reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the first move started").isTrue();

        var cancel = AdminGrpc.newFutureStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS)
                .cancelMove(CancelMoveRequest.newBuilder().setTeam("a").build());
        await().atMost(WAIT).until(() -> admin(c).listMoves(ListMovesRequest.getDefaultInstance()).getActiveList()
                .stream().anyMatch(m -> m.getOutcome().startsWith("cancel requested")));
        gate.release.countDown();
        assertThat(cancel.get(30, TimeUnit.SECONDS).getProgress().getPhase()).isEqualTo(MovePhase.MOVE_CANCELLED);

        List<DrainProgress> progress = all(stream);
        DrainProgress last = progress.get(progress.size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(last.getOutcome()).startsWith("not drained: 3 team(s) left on shard 's1' after 0 moved")
                .contains("the move of team 'a' was cancelled");
        assertThat(teamCounts(c)).containsEntry("s1", 3L);
        assertThat(shard(c, "s1").getState()).isEqualTo(ShardState.SHARD_DRAINING);

        DrainProgress again = last(drain(c, "s1", 3));
        assertThat(again.getOutcome()).startsWith("drained: 3 team(s) moved");
        assertThat(teamCounts(c)).containsEntry("s1", 0L).containsEntry("s2", 3L);
        assertThat(items("a", "s2")).hasSize(ITEMS);
    }

    static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    @Test
    void a_drain_goes_on_when_its_caller_goes_away() throws Exception {
        MoveTeamTest.Gate gate = new MoveTeamTest.Gate(MovePhase.MOVE_COPYING);
        Coordinator c = leader(gate);
        addShard(c, "s1");
        addShard(c, "s2");
        for (String team : List.of("a", "b")) {
            placeWithData(c, team, "s1", false);
        }
        Context.CancellableContext call = Context.current().withCancellation();
        CountDownLatch firstMessage = new CountDownLatch(1);
        call.run(() -> AdminGrpc.newStub(coordinators.channel(c)).drainShard(DrainShardRequest.newBuilder()
                .setShardId("s1").build(), new StreamObserver<>() {
                    @Override
                    public void onNext(DrainProgress value) {
                        firstMessage.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        assertThat(firstMessage.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(gate.reached.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        call.cancel(null);
        gate.release.countDown();

        await().atMost(WAIT).until(() -> teamCounts(c).get("s1") == 0L);
        assertThat(placement(c, "a").getShardId()).isEqualTo("s2");
        assertThat(placement(c, "b").getShardId()).isEqualTo("s2");
    }

    @Test
    void a_rebalance_from_three_shards_to_four_plans_a_quarter_of_the_teams_then_evens_the_counts() throws Exception {
        Coordinator c = leader(Mover.PhaseHook.NONE);
        for (String id : List.of("s1", "s2", "s3")) {
            addShard(c, id);
        }
        Map<String, String> pinned = new LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            String shard = "s" + (i % 3 + 1);
            String team = "t" + i;
            placeWithData(c, team, shard, i < 3);
            if (i < 3) {
                pinned.put(team, shard);
            }
        }
        addShard(c, "s4");

        List<RebalanceProgress> dry = all(admin(c).rebalance(RebalanceRequest.newBuilder().setDryRun(true)
                .setMaxConcurrentMoves(2).build()));

        assertThat(dry).hasSize(1);
        RebalanceProgress plan = dry.get(0);
        assertThat(plan.getDone()).isTrue();
        assertThat(plan.getOutcome()).isEqualTo("dry run: 3 move(s) planned, none run");
        assertThat(plan.getPlanList()).hasSize(3).allSatisfy(m -> {
            assertThat(m.getTargetShardId()).isEqualTo("s4");
            assertThat(m.getLoad()).isEqualTo(1);
            assertThat(pinned).doesNotContainKey(m.getTeam());
        });
        assertThat(plan.getPlanList().stream().map(PlannedMove::getSourceShardId))
                .containsExactlyInAnyOrder("s1", "s2", "s3");
        assertThat(plan.getBeforeList().stream().map(ShardLoad::getTeams)).containsExactly(4L, 4L, 4L, 0L);
        assertThat(plan.getAfterList().stream().map(ShardLoad::getTeams)).containsExactly(3L, 3L, 3L, 3L);
        assertThat(plan.getBeforeList()).allSatisfy(l -> assertThat(l.getMemoryBytes()).isPositive());
        assertThat(teamCounts(c)).containsEntry("s4", 0L);
        assertThat(admin(c).listMoves(ListMovesRequest.getDefaultInstance()).getHistoryList())
                .as("a dry run moves nothing").isEmpty();

        List<RebalanceProgress> run = all(admin(c).rebalance(RebalanceRequest.newBuilder()
                .setStrategy(RebalanceStrategy.REBALANCE_TEAM_COUNT).setMaxConcurrentMoves(2).build()));

        assertThat(run.get(0).getPlanList()).isEqualTo(plan.getPlanList());
        RebalanceProgress done = last(run);
        assertThat(done.getDone()).isTrue();
        assertThat(done.getOutcome()).isEqualTo("rebalanced: 3 of 3 move(s) done");
        assertThat(run).allSatisfy(p -> assertThat(p.getMovesCount()).isLessThanOrEqualTo(2));
        Map<String, Long> counts = teamCounts(c);
        assertThat(counts.values().stream().mapToLong(Long::longValue).max().orElseThrow()
                - counts.values().stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThanOrEqualTo(1);
        pinned.forEach((team, shard) -> assertThat(placement(c, team).getShardId()).as("pinned %s", team)
                .isEqualTo(shard));
        for (PlannedMove m : plan.getPlanList()) {
            assertThat(placement(c, m.getTeam()).getShardId()).isEqualTo("s4");
            assertThat(items(m.getTeam(), "s4")).hasSize(ITEMS);
        }

        List<RebalanceProgress> again = all(admin(c).rebalance(RebalanceRequest.getDefaultInstance()));
        assertThat(again).singleElement().satisfies(p -> {
            assertThat(p.getPlanList()).isEmpty();
            assertThat(p.getOutcome()).startsWith("nothing to move");
        });
    }

    @Test
    void a_memory_plan_moves_big_teams_toward_the_emptier_shard() throws Exception {
        Coordinator c = leader(Mover.PhaseHook.NONE);
        addShard(c, "s1");
        addShard(c, "s2");
        String payload = "x".repeat(10_000);
        for (String team : List.of("big1", "big2", "big3", "big4")) {
            admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam(team).setShardId("s1").build());
            try (ScriptWriter w = new ScriptWriter(shards.get("s1"))) {
                for (int i = 0; i < 50; i++) {
                    w.run(Script.FEED, "feed", feed(team), "publish", "i" + i, payload);
                }
            }
        }
        placeWithData(c, "small", "s2", false);

        RebalanceProgress plan = all(admin(c).rebalance(RebalanceRequest.newBuilder()
                .setStrategy(RebalanceStrategy.REBALANCE_MEMORY).setDryRun(true).build())).get(0);

        assertThat(plan.getPlanList()).hasSize(2).allSatisfy(m -> {
            assertThat(m.getSourceShardId()).isEqualTo("s1");
            assertThat(m.getTargetShardId()).isEqualTo("s2");
            assertThat(m.getLoad()).as("bytes of 50 items of 10 kB").isGreaterThan(500_000);
        });
        long spreadBefore = Math.abs(plan.getBefore(0).getMemoryBytes() - plan.getBefore(1).getMemoryBytes());
        long spreadAfter = Math.abs(plan.getAfter(0).getMemoryBytes() - plan.getAfter(1).getMemoryBytes());
        assertThat(spreadAfter).isLessThan(spreadBefore / 4);

        RebalanceProgress operations = all(admin(c).rebalance(RebalanceRequest.newBuilder()
                .setStrategy(RebalanceStrategy.REBALANCE_OPERATIONS).setDryRun(true).build())).get(0);
        assertThat(operations.getDone()).isTrue();
        assertThat(operations.getBeforeList()).hasSize(2);
    }

    @Test
    void bad_drains_and_rebalances_are_refused_with_clear_errors() throws Exception {
        Coordinator c = leader(Mover.PhaseHook.NONE);
        addShard(c, "s1");

        assertThatThrownBy(() -> drain(c, "nope", 1)).isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("NOT_FOUND").hasMessageContaining("no shard 'nope'");
        assertThatThrownBy(() -> drain(c, "s1", -1)).hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("max_concurrent_moves must be 0 to 16");
        assertThatThrownBy(() -> drain(c, "s1", 17)).hasMessageContaining("INVALID_ARGUMENT");
        assertThatThrownBy(() -> drain(c, "bad id!", 1)).hasMessageContaining("INVALID_ARGUMENT");
        assertThatThrownBy(() -> drain(c, "s1", 1)).hasMessageContaining("FAILED_PRECONDITION")
                .hasMessageContaining("it is the only shard");
        assertThat(shard(c, "s1").getState()).as("a refused drain marks nothing").isEqualTo(ShardState.SHARD_ACTIVE);
        assertThatThrownBy(() -> all(admin(c).rebalance(RebalanceRequest.newBuilder().setMaxConcurrentMoves(-1)
                .build()))).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("max_concurrent_moves");
        assertThatThrownBy(() -> all(admin(c).rebalance(RebalanceRequest.newBuilder().setStrategyValue(42).build())))
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("strategy");
        assertThatThrownBy(() -> admin(c).undrainShard(UndrainShardRequest.newBuilder().setShardId("nope").build()))
                .hasMessageContaining("NOT_FOUND");

        addShard(c, "s2");
        admin(c).addShard(AddShardRequest.newBuilder().setId("s3").setPrimary(coordinators.own(RedisShard.start(0))
                .primaryAddress()).setWeight(0).build());
        drain(c, "s2", 1);
        assertThatThrownBy(() -> drain(c, "s1", 1)).as("s2 draining, s3 of weight 0: no target")
                .hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("s2 (SHARD_DRAINING, weight 1)")
                .hasMessageContaining("s3 (SHARD_ACTIVE, weight 0)");
    }
}
