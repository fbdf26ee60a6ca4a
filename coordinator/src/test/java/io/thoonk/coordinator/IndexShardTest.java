package io.thoonk.coordinator;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.thoonk.contract.Keys;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.IndexShardProgress;
import io.thoonk.proto.v1.IndexShardRequest;
import io.thoonk.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code Admin.IndexShard} on real coordinators, ZooKeeper and redis-server: objects a peer wrote
 * with raw contract commands (no index entries) get indexed, progress streams as pages finish, and
 * failures and cancellation behave as documented.
 */
class IndexShardTest {

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    static RedisProcess redis;
    static RedisClient lettuce;
    static RedisCommands<String, String> peer;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start();
        lettuce = RedisClient.create();
        peer = lettuce.connect(RedisURI.create(redis.uri())).sync();
    }

    @AfterAll
    static void stopRedis() {
        lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        redis.close();
    }

    @BeforeEach
    void emptyRedis() {
        peer.flushall();
    }

    CoordinatorConfig.Builder config(String id, Duration callTimeout) {
        return coordinators.config(id).callTimeout(callTimeout);
    }

    Coordinator leader() throws Exception {
        return coordinators.startLeader(config("c1", Duration.ofSeconds(5)));
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    static void addShard(AdminGrpc.AdminBlockingStub admin, String id, RedisProcess primary) {
        admin.addShard(AddShardRequest.newBuilder().setId(id).setPrimary(primary.address()).build());
    }

    static IndexShardRequest request(String shard, String globalTeam) {
        return IndexShardRequest.newBuilder().setShardId(shard).setGlobalTeam(globalTeam).build();
    }

    static List<IndexShardProgress> all(AdminGrpc.AdminBlockingStub admin, IndexShardRequest request) {
        List<IndexShardProgress> messages = new ArrayList<>();
        admin.indexShard(request).forEachRemaining(messages::add);
        return messages;
    }

    /** Objects created as an original Thoonk peer does: {@code SADD feeds}, the config hash, an item. */
    static void peerObjects(Collection<String> names) {
        for (String name : names) {
            peer.sadd(Keys.FEEDS, name);
            peer.hset(Keys.config(name), "type", "feed");
            peer.zadd(Keys.ids(name), 1, "id1");
            peer.hset(Keys.items(name), "id1", "item");
        }
    }

    /** {@code count} names {@code prefix<i>} in {@code node}'s registry set, a thousand per command. */
    static void registryNames(RedisCommands<String, String> node, String prefix, int count) {
        for (int from = 0; from < count; from += 1000) {
            node.sadd(Keys.FEEDS, IntStream.range(from, Math.min(count, from + 1000)).mapToObj(i -> prefix + i)
                    .toArray(String[]::new));
        }
    }

    /**
     * Starts an IndexShard call without waiting: {@code first} completes with its first message,
     * {@code ended} with its error (null when it completes).
     */
    record Call(ClientCallStreamObserver<IndexShardRequest> stream, CompletableFuture<IndexShardProgress> first,
                CompletableFuture<Throwable> ended) {
    }

    Call start(Coordinator c, IndexShardRequest request) {
        CompletableFuture<ClientCallStreamObserver<IndexShardRequest>> started = new CompletableFuture<>();
        CompletableFuture<IndexShardProgress> first = new CompletableFuture<>();
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        AdminGrpc.newStub(coordinators.channel(c)).withDeadlineAfter(60, TimeUnit.SECONDS).indexShard(request,
                new ClientResponseObserver<IndexShardRequest, IndexShardProgress>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<IndexShardRequest> requestStream) {
                        started.complete(requestStream);
                    }

                    @Override
                    public void onNext(IndexShardProgress value) {
                        first.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        ended.complete(t);
                    }

                    @Override
                    public void onCompleted() {
                        ended.complete(null);
                    }
                });
        return new Call(started.join(), first, ended);
    }

    @Test
    void a_follower_indexes_what_a_peer_wrote_streaming_progress_that_only_grows() throws Exception {
        Coordinator leader = leader();
        Coordinator follower = coordinators.start(config("c2", Duration.ofSeconds(5)));
        addShard(admin(leader), "s1", redis);
        await().atMost(Duration.ofSeconds(10)).until(() -> follower.directoryRevision() >= leader.directoryRevision());
        assertThat(follower.isLeader()).isFalse();
        Set<String> team7 = new HashSet<>();
        Set<String> global = new HashSet<>();
        for (int i = 0; i < 1200; i++) {
            team7.add("team:7:feed-" + i);
        }
        for (int i = 0; i < 20; i++) {
            global.add("users-" + i);
        }
        List<String> names = new ArrayList<>(team7);
        names.addAll(global);
        for (int i = 0; i < 30; i++) {
            names.add("team.8.feed-" + i);
        }
        names.add("team:a b:feed"); // a peer may use any name; this one spells no valid team
        peerObjects(names);
        // an index entry whose object a peer has since deleted
        peer.sadd(Keys.teamObjects("9"), "team:9:gone");

        List<IndexShardProgress> progress = all(admin(follower), request("s1", "main"));

        IndexShardProgress last = progress.get(progress.size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(last.getShardId()).isEqualTo("s1");
        assertThat(last.getPrimary()).isEqualTo(redis.address());
        assertThat(last.getIndexed()).isEqualTo(1250);
        assertThat(last.getSkipped()).isEqualTo(1);
        assertThat(last.getPruned()).isEqualTo(1);
        assertThat(last.getScanned()).isGreaterThanOrEqualTo(1251);
        // streamed as pages finished (1251 names, 500 a page), counts and time only growing
        assertThat(progress.size()).isGreaterThanOrEqualTo(3);
        assertThat(progress.subList(0, progress.size() - 1)).noneMatch(IndexShardProgress::getDone);
        for (int i = 1; i < progress.size(); i++) {
            IndexShardProgress before = progress.get(i - 1);
            IndexShardProgress now = progress.get(i);
            assertThat(now.getScanned()).isGreaterThanOrEqualTo(before.getScanned());
            assertThat(now.getIndexed()).isGreaterThanOrEqualTo(before.getIndexed());
            assertThat(now.getSkipped()).isGreaterThanOrEqualTo(before.getSkipped());
            assertThat(now.getPruned()).isGreaterThanOrEqualTo(before.getPruned());
            assertThat(now.getElapsedMillis()).isGreaterThanOrEqualTo(before.getElapsedMillis());
        }
        assertThat(progress.get(0).getIndexed()).isLessThan(1250);
        assertThat(peer.smembers(Keys.teamObjects("7"))).isEqualTo(team7);
        assertThat(peer.scard(Keys.teamObjects("8"))).isEqualTo(30);
        assertThat(peer.smembers(Keys.teamObjects("main"))).isEqualTo(global);
        assertThat(peer.exists(Keys.teamObjects("9"), Keys.teamObjects("global"))).isZero();

        // again: nothing left to do; the global team defaults to the clients' default
        List<IndexShardProgress> again = all(admin(leader), request("s1", ""));
        IndexShardProgress second = again.get(again.size() - 1);
        assertThat(second.getIndexed()).isEqualTo(20); // the global names, now under 'global'
        assertThat(second.getPruned()).isZero();
        assertThat(peer.smembers(Keys.teamObjects("global"))).isEqualTo(global);
    }

    @Test
    void an_unknown_shard_is_not_found_and_a_bad_global_team_an_invalid_argument() throws Exception {
        AdminGrpc.AdminBlockingStub admin = admin(leader());

        assertThatThrownBy(() -> all(admin, request("nope", "")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no shard 'nope'; see ListShards");
                });
        addShard(admin, "s1", redis);
        assertThatThrownBy(() -> all(admin, request("s1", "no spaces")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("global team: team name 'no spaces'");
                });
    }

    @Test
    void an_unreachable_primary_is_unavailable_naming_its_address() throws Exception {
        AdminGrpc.AdminBlockingStub admin = admin(leader());
        RedisProcess gone = coordinators.own(RedisProcess.start());
        addShard(admin, "s1", gone);
        gone.kill();

        assertThatThrownBy(() -> all(admin, request("s1", "")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription())
                            .startsWith("cannot reach the primary " + gone.address() + " to index its objects");
                });
    }

    @Test
    void a_primary_that_stops_answering_mid_run_fails_it_within_the_call_timeout() throws Exception {
        Coordinator c = coordinators.startLeader(config("c1", Duration.ofSeconds(1)));
        RedisProcess stalled = coordinators.own(RedisProcess.start());
        addShard(admin(c), "s1", stalled);
        try (StatefulRedisConnection<String, String> direct = lettuce.connect(RedisURI.create(stalled.uri()))) {
            registryNames(direct.sync(), "team:1:f", 200_000);
        }
        Call call = start(c, request("s1", ""));
        call.first().get(20, TimeUnit.SECONDS);
        stalled.pause();
        long pausedAt = System.nanoTime();
        try {
            Throwable error = call.ended().get(20, TimeUnit.SECONDS);

            long millisAfterPause = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);
            assertThat(error).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).startsWith("indexing the objects on "
                        + stalled.address() + " failed: ").contains("running it again is harmless");
            });
            // within a page's call timeout (1 s) and some slack, far from the client's 60 s deadline
            assertThat(millisAfterPause).isLessThan(10_000);
        } finally {
            stalled.resume();
        }
    }

    @Test
    void cancelling_the_call_stops_the_run_between_pages() throws Exception {
        Coordinator c = leader();
        addShard(admin(c), "s1", redis);
        registryNames(peer, "team:1:f", 200_000);
        Call call = start(c, request("s1", ""));
        call.first().get(20, TimeUnit.SECONDS);

        call.stream().cancel("the test cancels", null);

        // the run ends (its connection closes) long before it could have indexed every name
        await().atMost(Duration.ofSeconds(20)).until(() -> !peer.clientList().contains(
                "name=" + ShardNodes.INDEXER_CLIENT_NAME + " "));
        assertThat(peer.scard(Keys.teamObjects("1"))).isPositive().isLessThan(200_000);
        assertThat(call.ended().get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
    }
}
