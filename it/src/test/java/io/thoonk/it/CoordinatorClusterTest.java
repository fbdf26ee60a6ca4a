package io.thoonk.it;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
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
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Three coordinators on a real three-node ZooKeeper ensemble, with real Redis shards. */
class CoordinatorClusterTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().zookeeperServers(3)
            .shards("a", "b").replicasPerShard(1).registerShards(false).coordinators(3)
            .coordinatorSettings(c -> c.sessionTimeout(Duration.ofSeconds(5))));

    static ZooKeeperEnsemble zookeeper;
    static RedisShard shardA;
    static RedisShard shardB;

    final List<Coordinator> coordinators = new CopyOnWriteArrayList<>();
    final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    String namespace;

    @BeforeEach
    void startCoordinators() {
        LocalCluster cluster = local.cluster();
        zookeeper = cluster.zookeeper();
        shardA = cluster.shard("a");
        shardB = cluster.shard("b");
        namespace = cluster.namespace();
        coordinators.addAll(cluster.coordinators().all());
    }

    Coordinator startCoordinator(String id) {
        return local.cluster().coordinators().start(id);
    }

    @AfterEach
    void stopCoordinators() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        coordinators.forEach(Coordinator::close);
    }

    ManagedChannel channel(Coordinator c) {
        return channels.computeIfAbsent(c.address(), a -> Grpc.newChannelBuilder(a, InsecureChannelCredentials.create()).build());
    }

    DirectoryGrpc.DirectoryBlockingStub directory(Coordinator c) {
        return DirectoryGrpc.newBlockingStub(channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(channel(c)).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    Coordinator leader() {
        return coordinators.stream().filter(Coordinator::isLeader).findFirst().orElseThrow();
    }

    Coordinator follower() {
        return coordinators.stream().filter(c -> !c.isLeader()).findFirst().orElseThrow();
    }

    static String address(io.thoonk.testing.RedisProcess p) {
        return "127.0.0.1:" + p.port();
    }

    void addBothShards(Coordinator via) {
        admin(via).addShard(AddShardRequest.newBuilder().setId("a").setPrimary(address(shardA.primary()))
                .addReplicas(address(shardA.replicas().get(0))).build());
        admin(via).addShard(AddShardRequest.newBuilder().setId("b").setPrimary(address(shardB.primary()))
                .addReplicas(address(shardB.replicas().get(0))).build());
    }

    static RedisShard shardNamed(String id) {
        return id.equals("a") ? shardA : shardB;
    }

    @Test
    void three_coordinators_place_once_answer_alike_and_fence_each_team() throws Exception {
        addBothShards(follower());
        int teams = 200;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Map<String, Set<TeamPlacement>> answers = new ConcurrentHashMap<>();
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < teams * 2; i++) {
            String team = namespace + "-t" + (i % teams);
            work.add(pool.submit(() -> {
                Coordinator c = coordinators.get(ThreadLocalRandom.current().nextInt(3));
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
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinators.stream()
                .map(Coordinator::directoryRevision).distinct().count() == 1);
        for (String team : answers.keySet()) {
            TeamPlacement expected = answers.get(team).iterator().next();
            for (Coordinator c : coordinators) {
                assertThat(admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(team).build()).getPlacement())
                        .isEqualTo(expected);
            }
        }
        StatusResponse status = admin(coordinators.get(2)).status(StatusRequest.getDefaultInstance());
        assertThat(status.getTeamCount()).isEqualTo(teams);
        assertThat(status.getCoordinatorsList()).hasSize(3);
        assertThat(status.getCoordinatorsList().stream().filter(c -> c.getLeader()).count()).isEqualTo(1);
        assertThat(status.getLeaderId()).isEqualTo(leader().id());
    }

    @Test
    void shard_registration_is_checked_and_errors_say_what_to_do() {
        Coordinator c = follower();
        StatusRuntimeException notReplica = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("x")
                .setPrimary(address(shardA.primary())).addReplicas(address(shardB.primary())).build()));
        assertThat(notReplica.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(notReplica.getStatus().getDescription()).contains("is not a replica");

        StatusRuntimeException wrongPrimary = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("x")
                .setPrimary(address(shardA.primary())).addReplicas(address(shardB.replicas().get(0))).build()));
        assertThat(wrongPrimary.getStatus().getDescription()).contains("not the primary");

        StatusRuntimeException badId = catchStatus(() -> admin(c).addShard(AddShardRequest.newBuilder().setId("a/b")
                .setPrimary(address(shardA.primary())).build()));
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
                .setPrimary(address(shardA.primary())).build()));
        assertThat(twice.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    }

    @Test
    void remove_shard_is_refused_while_it_owns_teams() {
        Coordinator c = follower();
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
        addBothShards(follower());
        Coordinator doomed = leader();
        List<Coordinator> survivors = coordinators.stream().filter(c -> c != doomed).toList();
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
        doomed.close();
        coordinators.remove(doomed);
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        Coordinator.awaitLeader(coordinators, Duration.ofSeconds(15));

        assertThat(answers).hasSize(teams);
        assertThat(answers.values()).allSatisfy(set -> assertThat(set).hasSize(1));
        for (Coordinator c : coordinators) {
            await().atMost(Duration.ofSeconds(10)).until(() -> admin(c).status(StatusRequest.getDefaultInstance())
                    .getTeamCount() == teams);
        }
        for (var e : answers.entrySet()) {
            for (Coordinator c : coordinators) {
                assertThat(admin(c).getTeam(GetTeamRequest.newBuilder().setTeam(e.getKey()).build()).getPlacement())
                        .isEqualTo(e.getValue().iterator().next());
            }
        }
    }

    @Test
    void restarting_every_coordinator_finds_the_same_directory() throws Exception {
        addBothShards(follower());
        Map<String, TeamPlacement> before = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            String team = "keep-" + i;
            before.put(team, directory(coordinators.get(i % 3)).resolve(ResolveRequest.newBuilder().setTeam(team)
                    .build()).getPlacement());
        }
        long revision = leader().directoryRevision();
        stopCoordinators();
        coordinators.clear();
        channels.clear();
        for (int i = 4; i <= 6; i++) {
            coordinators.add(startCoordinator("c" + i));
        }
        for (Coordinator c : coordinators) {
            assertThat(c.directoryRevision()).isEqualTo(revision);
            for (var e : before.entrySet()) {
                assertThat(directory(c).resolve(ResolveRequest.newBuilder().setTeam(e.getKey()).build()).getPlacement())
                        .isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void a_watch_that_switches_coordinator_misses_no_change() throws Exception {
        addBothShards(follower());
        Coordinator first = follower();
        List<DirectoryChange> seen = new CopyOnWriteArrayList<>();
        var it = DirectoryGrpc.newBlockingStub(channel(first)).watch(WatchRequest.newBuilder().setFromRevision(1).build());
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
            directory(leader()).resolve(ResolveRequest.newBuilder().setTeam("w-" + i).build());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 22);
        first.close();
        coordinators.remove(first);
        reader.join(10_000);
        long last = seen.get(seen.size() - 1).getRevision();
        for (int i = 20; i < 40; i++) {
            directory(coordinators.get(i % 2)).resolve(ResolveRequest.newBuilder().setTeam("w-" + i).build());
        }
        Coordinator second = coordinators.get(0);
        var rest = DirectoryGrpc.newBlockingStub(channel(second)).withDeadlineAfter(10, TimeUnit.SECONDS)
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
        addBothShards(follower());
        Coordinator c = follower();
        TeamPlacement known = directory(c).resolve(ResolveRequest.newBuilder().setTeam("known").build()).getPlacement();
        zookeeper.stopAll();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> !c.isZooKeeperConnected());
            HealthCheckResponse.ServingStatus health = HealthGrpc.newBlockingStub(channel(c))
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
        assertThat(HealthGrpc.newBlockingStub(channel(c)).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> directory(c)
                .resolve(ResolveRequest.newBuilder().setTeam("unknown").build()).hasPlacement());
    }

    @Test
    void a_watch_from_a_revision_no_longer_kept_is_told_to_reload() {
        addBothShards(follower());
        // The cache keeps the changes it applied since it started; a coordinator started now has none
        // older than the current revision.
        Coordinator late = coordinators.get(0);
        late.close();
        coordinators.remove(late);
        Coordinator fresh = null;
        try {
            fresh = startCoordinator("late");
            coordinators.add(fresh);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        WatchResponse r = DirectoryGrpc.newBlockingStub(channel(fresh)).withDeadlineAfter(5, TimeUnit.SECONDS)
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
