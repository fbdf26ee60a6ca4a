package io.thoonk.coordinator;

import io.thoonk.testing.TcpProxy;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.contract.Keys;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code Admin.AddShard}, placement and the team calls accept, on a real coordinator,
 * ZooKeeper and redis-server: one Redis serves one shard, weight 0 takes no new teams, team ids
 * that no object can spell are refused, and a registered shard carries its marker.
 */
class ShardRegistrationTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static final AtomicInteger namespaces = new AtomicInteger();
    static RedisProcess first;
    static RedisProcess second;

    final String namespace = "shard-registration-test-" + namespaces.incrementAndGet();
    final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    AdminGrpc.AdminBlockingStub admin;
    DirectoryGrpc.DirectoryBlockingStub directory;

    @BeforeAll
    static void startRedis() {
        first = RedisProcess.start();
        second = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        first.close();
        second.close();
    }

    @BeforeEach
    void startCoordinator() throws Exception {
        first.call("FLUSHALL");
        second.call("FLUSHALL");
        Coordinator c = Coordinator.start(CoordinatorConfig.builder(zookeeper.connectString()).id("c1")
                .namespace(namespace).grpcPort(0).clusterPort(0).httpPort(0).build());
        opened.add(c);
        c.awaitLeadership(Duration.ofSeconds(10));
        ManagedChannel channel = Grpc.newChannelBuilder(c.address(), InsecureChannelCredentials.create()).build();
        opened.add(channel::shutdownNow);
        admin = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        directory = DirectoryGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    Shard addShard(String id, String primary) {
        return admin.addShard(AddShardRequest.newBuilder().setId(id).setPrimary(primary).build()).getShard();
    }

    Shard addShard(String id, String primary, int weight) {
        return admin.addShard(AddShardRequest.newBuilder().setId(id).setPrimary(primary).setWeight(weight).build())
                .getShard();
    }

    @Test
    void a_primary_another_shard_uses_is_refused_whatever_name_or_port_reaches_it() throws Exception {
        addShard("one", first.address());

        assertThatThrownBy(() -> addShard("same-name", "localhost:" + first.port()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).isEqualTo("primary localhost:" + first.port()
                            + " is already used by shard 'one' (primary " + first.address()
                            + "); one Redis can serve only one shard");
                });
        try (TcpProxy proxy = TcpProxy.to("127.0.0.1", first.port())) {
            assertThatThrownBy(() -> addShard("through-a-proxy", proxy.address()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                        assertThat(e.getStatus().getDescription()).startsWith("primary " + proxy.address()
                                + " is already used by shard 'one' (primary " + first.address() + ", the same "
                                + "Redis (run id ");
                    });
        }
        assertThatThrownBy(() -> addShard("one", second.address()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).contains("shard 'one' is already registered");
                });

        addShard("two", second.address());
        assertThat(directory.listShards(ListShardsRequest.getDefaultInstance()).getShardsList())
                .extracting(Shard::getId, Shard::getPrimary)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("one", first.address()),
                        org.assertj.core.groups.Tuple.tuple("two", second.address()));
        assertThat(second.call("HGET " + Keys.SHARD_MARKER + " shard")).as("a refused add marks nothing")
                .isEqualTo("two");
        assertThat(first.call("HGET " + Keys.SHARD_MARKER + " shard")).isEqualTo("one");
    }

    @Test
    void a_shard_of_weight_0_takes_no_new_teams_but_explicit_placements() {
        Shard drained = addShard("drained", first.address(), 0);
        assertThat(drained.getWeight()).isZero();

        assertThatThrownBy(() -> directory.resolve(ResolveRequest.newBuilder().setTeam("7").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
                    assertThat(e.getStatus().getDescription()).isEqualTo("no shard to place team '7' on: every "
                            + "active shard has weight 0 and takes no new teams (drained); register a shard with a "
                            + "weight > 0, or place the team on one explicitly (PlaceTeam; thoonk admin place-team)");
                });
        assertThat(admin.placeTeam(PlaceTeamRequest.newBuilder().setTeam("pinned").setShardId("drained").build())
                .getPlacement().getShardId()).isEqualTo("drained");

        assertThat(addShard("open", second.address()).getWeight()).as("unset means 1").isEqualTo(1);
        List<String> placedOn = IntStream.range(0, 6).mapToObj(i -> directory.resolve(ResolveRequest.newBuilder()
                .setTeam("t" + i).build()).getPlacement().getShardId()).toList();
        assertThat(placedOn).containsOnly("open");

        assertThatThrownBy(() -> addShard("negative", "127.0.0.1:1", -3))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                            .isEqualTo("weight must be >= 0 (0: the shard takes no new teams), was -3");
                });
    }

    @Test
    void a_team_id_no_object_name_can_spell_is_refused_by_every_team_call_with_a_hint() {
        addShard("one", first.address());
        String hint = "team name 'team:353:news' contains ':' at index 4; a team id cannot hold ':' (no object name "
                + "can be in such a team); did you mean '353' (the team of object 'team:353:news')?";

        for (Runnable call : List.<Runnable>of(
                () -> directory.resolve(ResolveRequest.newBuilder().setTeam("team:353:news").build()),
                () -> admin.placeTeam(PlaceTeamRequest.newBuilder().setTeam("team:353:news").setShardId("one").build()),
                () -> admin.getTeam(GetTeamRequest.newBuilder().setTeam("team:353:news").build()))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription()).isEqualTo(hint);
            });
        }
        assertThat(admin.status(StatusRequest.getDefaultInstance()).getTeamCount()).as("nothing placed").isZero();
        assertThat(first.call("EXISTS " + Keys.fence("team:353:news"))).isEqualTo("0");
        assertThat(directory.resolve(ResolveRequest.newBuilder().setTeam("353").build()).getPlacement()
                .getShardId()).isEqualTo("one");
    }

    @Test
    void a_registered_shard_carries_its_marker_until_it_is_removed() {
        addShard("one", first.address());

        assertThat(first.call("HGETALL " + Keys.SHARD_MARKER)).isEqualTo("shard\none\nnamespace\n" + namespace);

        admin.removeShard(RemoveShardRequest.newBuilder().setId("one").build());
        assertThat(first.call("EXISTS " + Keys.SHARD_MARKER)).isEqualTo("0");
    }
}
