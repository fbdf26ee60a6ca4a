package io.thoonk.it;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.ZooKeeperEnsemble;
import io.thoonk.testing.cluster.Coordinators;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Three coordinators on a real three-node ZooKeeper ensemble, with real Redis shards. */
class CoordinatorClusterTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().zookeeperServers(3)
            .shards("a", "b").replicasPerShard(1).registerShards(false).coordinators(3)
            .coordinatorSettings(c -> c.sessionTimeout(Duration.ofSeconds(5))));

    ZooKeeperEnsemble zookeeper;
    RedisShard shardA;
    RedisShard shardB;
    /** The test's coordinators c1, c2, c3 (one of them leads), and any it starts. */
    Coordinators coordinators;
    String namespace;

    @BeforeEach
    void cluster() {
        LocalCluster cluster = local.cluster();
        zookeeper = cluster.zookeeper();
        shardA = cluster.shard("a");
        shardB = cluster.shard("b");
        namespace = cluster.namespace();
        coordinators = cluster.coordinators();
    }

    /** The running coordinators, in start order. */
    List<Coordinator> running() {
        return coordinators.all();
    }

    DirectoryGrpc.DirectoryBlockingStub directory(Coordinator c) {
        return DirectoryGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Registers shards a and b (each a primary and its replica) through {@code via}. */
    void addBothShards(Coordinator via) {
        admin(via).addShard(AddShardRequest.newBuilder().setId("a").setPrimary(shardA.primaryAddress())
                .addAllReplicas(shardA.replicaAddresses()).build());
        admin(via).addShard(AddShardRequest.newBuilder().setId("b").setPrimary(shardB.primaryAddress())
                .addAllReplicas(shardB.replicaAddresses()).build());
    }

    RedisShard shardNamed(String id) {
        return id.equals("a") ? shardA : shardB;
    }

    @Test
    void three_coordinators_place_once_answer_alike_and_fence_each_team() throws Exception {
        addBothShards(coordinators.follower());
        int teams = 200;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Map<String, Set<TeamPlacement>> answers = new ConcurrentHashMap<>();
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < teams * 2; i++) {
            String team = namespace + "-t" + (i % teams);
            work.add(pool.submit(() -> {
                Coordinator c = running().get(ThreadLocalRandom.current().nextInt(3));
                ResolveResponse r = directory(c).resolve(ResolveRequest.newBuilder().setTeam(team).build());
                answers.computeIfAbsent(team, k -> ConcurrentHashMap.newKeySet()).add(r.getPlacement());
            }));
        }
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(answers).hasSize(teams);
        assertThat(answers.values()).allSatisfy(set -> assertThat(set).hasSize(1));

        Map<String, Integer> perShard = new HashMap<>();
        for (var e : answers.entrySet()) {
            TeamPlacement p = e.getValue().iterator().next();
            perShard.merge(p.getShardId(), 1, Integer::sum);
            assertThat(p.getEpoch()).isEqualTo(1);
            assertThat(shardNamed(p.getShardId()).primary().call("HGET thoonk.team:" + e.getKey() + " state"))
                    .isEqualTo("active");
            String other = p.getShardId().equals("a") ? "b" : "a";
            assertThat(shardNamed(other).primary().call("EXISTS thoonk.team:" + e.getKey())).isEqualTo("0");
        }
        assertThat(perShard).containsOnlyKeys("a", "b");
        assertThat(Math.abs(perShard.get("a") - perShard.get("b"))).isLessThanOrEqualTo(2);

        // every coordinator ends up with the same directory
        await().atMost(Duration.ofSeconds(10)).until(() -> running().stream()
                .map(Coordinator::directoryRevision).distinct().count() == 1);
        for (String team : answers.keySet()) {
            TeamPlacement expected = answers.get(team).iterator().next();
            for (Coordinator c : running()) {
                assertThat(admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(team).build()).getPlacement())
                        .isEqualTo(expected);
            }
        }
        StatusResponse status = admin(running().get(2)).status(StatusRequest.getDefaultInstance());
        assertThat(status.getTeamCount()).isEqualTo(teams);
        assertThat(status.getCoordinatorsList()).hasSize(3);
        assertThat(status.getCoordinatorsList().stream().filter(c -> c.getLeader()).count()).isEqualTo(1);
        assertThat(status.getLeaderId()).isEqualTo(coordinators.leader().id());
    }

    @Test
    void shard_registration_is_checked_and_errors_say_what_to_do() {
        Coordinator c = coordinators.follower();
        StatusRuntimeException notReplica = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("x")
                .setPrimary(shardA.primary().address()).addReplicas(shardB.primary().address()).build()));
        assertThat(notReplica.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(notReplica.getStatus().getDescription()).contains("is not a replica");

        StatusRuntimeException wrongPrimary = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("x")
                .setPrimary(shardA.primary().address()).addReplicas(shardB.replicas().get(0).address()).build()));
        assertThat(wrongPrimary.getStatus().getDescription()).contains("not the primary");

        StatusRuntimeException badId = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("a/b")
                .setPrimary(shardA.primary().address()).build()));
        assertThat(badId.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

        StatusRuntimeException badTeam = catchStatus(() -> directory(c).resolve(ResolveRequest.newBuilder()
                .setTeam("has space").build()));
        assertThat(badTeam.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(badTeam.getStatus().getDescription()).contains("team name");

        StatusRuntimeException noShard = catchStatus(() -> directory(c).resolve(ResolveRequest.newBuilder()
                .setTeam("lonely").build()));
        assertThat(noShard.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(noShard.getStatus().getDescription()).contains("AddShard");

        addBothShards(c);
        StatusRuntimeException twice = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("a")
                .setPrimary(shardA.primary().address()).build()));
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void remove_shard_is_refused_while_it_owns_teams() {
        Coordinator c = coordinators.follower();
        addBothShards(c);
        admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam("pinned").setShardId("a").setPin(true).build());
        StatusRuntimeException refused = catchStatus(() -> admin(c).removeShard(RemoveShardRequest.newBuilder()
                .setId("a").build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(refused.getStatus().getDescription()).contains("still owns 1 team");

        admin(c).removeShard(RemoveShardRequest.newBuilder().setId("b").build());
        assertThat(directory(c).listShards(io.thoonk.proto.v1.ListShardsRequest.getDefaultInstance()).getShardsList())
                .extracting(s -> s.getId()).containsExactly("a");
        TeamPlacement pinned = admin(c).getTeam(GetTeamRequest.newBuilder().setTeam("pinned").build()).getPlacement();
        assertThat(pinned.getPinned()).isTrue();
        assertThat(pinned.getShardId()).isEqualTo("a");
    }

    @Test
    void leader_killed_during_a_burst_of_first_resolves_loses_and_duplicates_nothing() throws Exception {
        addBothShards(coordinators.follower());
        Coordinator doomed = coordinators.leader();
        List<Coordinator> survivors = running().stream().filter(c -> c != doomed).toList();
        int teams = 300;
        Map<String, Set<TeamPlacement>> answers = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<?>> work = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < teams; i++) {
            String team = "burst-" + i;
            work.add(pool.submit(() -> {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                        .until(() -> {
                            Coordinator c = survivors.get(ThreadLocalRandom.current().nextInt(survivors.size()));
                            answers.computeIfAbsent(team, k -> ConcurrentHashMap.newKeySet())
                                    .add(directory(c).resolve(ResolveRequest.newBuilder().setTeam(team).build())
                                            .getPlacement());
                            return true;
                        });
                done.incrementAndGet();
            }));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= teams / 4);
        coordinators.stop(doomed);
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        coordinators.awaitLeader(Duration.ofSeconds(15));

        assertThat(answers).hasSize(teams);
        assertThat(answers.values()).allSatisfy(set -> assertThat(set).hasSize(1));
        for (Coordinator c : running()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> admin(c).status(StatusRequest.getDefaultInstance())
                    .getTeamCount() == teams);
        }
        for (var e : answers.entrySet()) {
            for (Coordinator c : running()) {
                assertThat(admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(e.getKey()).build()).getPlacement())
                        .isEqualTo(e.getValue().iterator().next());
            }
        }
    }

    @Test
    void restarting_every_coordinator_finds_the_same_directory() throws Exception {
        addBothShards(coordinators.follower());
        Map<String, TeamPlacement> before = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            String team = "keep-" + i;
            before.put(team, directory(running().get(i % 3)).resolve(ResolveRequest.newBuilder().setTeam(team)
                    .build()).getPlacement());
        }
        long revision = coordinators.leader().directoryRevision();
        running().forEach(coordinators::stop);
        for (int i = 4; i <= 6; i++) {
            coordinators.start("c" + i);
        }
        for (Coordinator c : running()) {
            assertThat(c.directoryRevision()).isEqualTo(revision);
            for (var e : before.entrySet()) {
                assertThat(directory(c).resolve(ResolveRequest.newBuilder().setTeam(e.getKey()).build()).getPlacement())
                        .isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void a_watch_that_switches_coordinator_misses_no_change() throws Exception {
        addBothShards(coordinators.follower());
        Coordinator first = coordinators.follower();
        List<DirectoryChange> seen = new CopyOnWriteArrayList<>();
        var it = DirectoryGrpc.newBlockingStub(coordinators.channel(first)).watch(WatchRequest.newBuilder().setFromRevision(1).build());
        Thread reader = new Thread(() -> {
            try {
                while (it.hasNext()) {
                    WatchResponse r = it.next();
                    if (r.hasChange()) {
                        seen.add(r.getChange());
                    }
                }
            } catch (StatusRuntimeException closed) {
                // the coordinator went away
            }
        });
        reader.start();
        for (int i = 0; i < 20; i++) {
            directory(coordinators.leader()).resolve(ResolveRequest.newBuilder().setTeam("w-" + i).build());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 22);
        coordinators.stop(first);
        reader.join(10_000);
        long last = seen.get(seen.size() - 1).getRevision();
        for (int i = 20; i < 40; i++) {
            directory(running().get(i % 2)).resolve(ResolveRequest.newBuilder().setTeam("w-" + i).build());
        }
        Coordinator second = running().get(0);
        var rest = DirectoryGrpc.newBlockingStub(coordinators.channel(second)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder().setFromRevision(last + 1).build());
        while (seen.size() < 42) {
            WatchResponse r = rest.next();
            assertThat(r.hasChange()).isTrue();
            seen.add(r.getChange());
        }
        assertThat(seen).extracting(DirectoryChange::getRevision)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 42).boxed().toList());
        assertThat(seen.subList(2, 42)).extracting(ch -> ch.getTeam().getTeam())
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 40).mapToObj(i -> "w-" + i).toList());
    }

    @Test
    void losing_zookeeper_stops_writes_keeps_reads_and_recovers() throws Exception {
        addBothShards(coordinators.follower());
        Coordinator c = coordinators.follower();
        TeamPlacement known = directory(c).resolve(ResolveRequest.newBuilder().setTeam("known").build()).getPlacement();
        zookeeper.stopAll();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !c.isZooKeeperConnected());
            HealthCheckResponse.ServingStatus health = HealthGrpc.newBlockingStub(coordinators.channel(c))
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
            assertThat(health).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
            assertThat(directory(c).resolve(ResolveRequest.newBuilder().setTeam("known").build()).getPlacement())
                    .isEqualTo(known);
            StatusRuntimeException refused = catchStatus(() -> directory(c).resolve(ResolveRequest.newBuilder()
                    .setTeam("unknown").build()));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getStatus().getDescription()).contains("ZooKeeper");
        } finally {
            zookeeper.restartAll();
        }
        await().atMost(Duration.ofSeconds(30)).until(c::isZooKeeperConnected);
        assertThat(HealthGrpc.newBlockingStub(coordinators.channel(c)).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> directory(c)
                .resolve(ResolveRequest.newBuilder().setTeam("unknown").build()).hasPlacement());
    }

    @Test
    void a_watch_from_a_revision_no_longer_kept_is_told_to_reload() {
        addBothShards(coordinators.follower());
        // The cache keeps the changes it applied since it started; a coordinator started now has none
        // older than the current revision.
        coordinators.stop(running().get(0));
        Coordinator fresh = coordinators.start("late");
        WatchResponse r = DirectoryGrpc.newBlockingStub(coordinators.channel(fresh)).withDeadlineAfter(5, TimeUnit.SECONDS)
                .watch(WatchRequest.newBuilder().setFromRevision(1).build()).next();
        assertThat(r.hasReload()).isTrue();
        assertThat(r.getReload().getCurrentRevision()).isEqualTo(2);
        assertThat(r.getReload().getOldestAvailableRevision()).isEqualTo(3);
    }

    static StatusRuntimeException catchStatus(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded but was expected to fail");
    }
}
