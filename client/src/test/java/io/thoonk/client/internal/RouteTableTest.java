package io.thoonk.client.internal;

import io.lettuce.core.ClientOptions;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import io.thoonk.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route table's rules for answers and changes that arrive out of order, against two real Redis
 * primaries: what is cached, what is reported changed, and which connections are let go.
 */
class RouteTableTest {

    static RedisProcess a;
    static RedisProcess b;
    RedisClients redis;
    ShardPool pool;
    RouteTable table;

    @BeforeAll
    static void startRedis() {
        a = RedisProcess.start();
        b = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        a.close();
        b.close();
    }

    @BeforeEach
    void open() {
        redis = new RedisClients(ClientOptions.create());
        pool = new ShardPool(redis, io.thoonk.contract.RedisCredentials.none(), 100);
        table = new RouteTable(pool);
    }

    @AfterEach
    void close() {
        pool.close();
        redis.shutdownAsync(2_000).join();
    }

    static Shard shard(String id, RedisProcess primary, long epoch) {
        return Shard.newBuilder().setId(id).setPrimary(primary.address()).setEpoch(epoch).build();
    }

    static TeamPlacement team(String team, String shardId, long epoch) {
        return TeamPlacement.newBuilder().setTeam(team).setShardId(shardId).setEpoch(epoch).build();
    }

    static ListShardsResponse list(long revision, Shard... shards) {
        return ListShardsResponse.newBuilder().addAllShards(List.of(shards)).setDirectoryRevision(revision).build();
    }

    static ResolveResponse answer(long revision, TeamPlacement placement) {
        return ResolveResponse.newBuilder().setPlacement(placement).setDirectoryRevision(revision).build();
    }

    Route cachedRoute(String team) {
        return Await.await(table.cached(team), Duration.ofSeconds(5));
    }

    static long thoonkConnections(RedisProcess redis) {
        return redis.call("CLIENT LIST").lines().filter(l -> l.contains(" name=thoonk ")).count();
    }

    @Test
    void a_resolve_answer_older_than_the_table_is_used_once_but_not_cached() {
        table.reset(list(10, shard("s0", a, 1)));

        Route once = Await.await(table.learn(answer(9, team("t", "s0", 1))).route(), Duration.ofSeconds(5));
        assertThat(once.shard().uri().getPort()).isEqualTo(a.port());
        assertThat(table.cached("t")).as("the Watch may have passed a change of t after revision 9").isNull();

        table.learn(answer(10, team("t", "s0", 1)));
        assertThat(cachedRoute("t").epoch()).isEqualTo(1);
    }

    @Test
    void a_change_older_than_a_cached_placement_does_not_overwrite_it() {
        table.reset(list(10, shard("s0", a, 1), shard("s1", b, 1)));
        table.learn(answer(12, team("t", "s1", 3)));

        RouteTable.Changed changed = table.apply(DirectoryChange.newBuilder().setRevision(11)
                .setTeam(team("t", "s0", 2)).build());

        assertThat(changed.teams()).isEmpty();
        assertThat(cachedRoute("t").epoch()).isEqualTo(3);
        assertThat(cachedRoute("t").shard().uri().getPort()).isEqualTo(b.port());
        assertThat(table.snapshot().revision()).isEqualTo(11);

        table.apply(DirectoryChange.newBuilder().setRevision(13).setTeam(team("t", "s0", 4)).build());
        assertThat(cachedRoute("t").epoch()).isEqualTo(4);
        assertThat(cachedRoute("t").shard().uri().getPort()).isEqualTo(a.port());
    }

    @Test
    void a_shard_record_losing_its_live_replica_changes_its_routes_but_keeps_the_connection() {
        table.reset(list(10, shard("s0", a, 1).toBuilder().addReplicas(b.address())
                .setState(io.thoonk.proto.v1.ShardState.SHARD_ACTIVE).build()));
        table.learn(answer(10, team("t", "s0", 1)));
        Route before = cachedRoute("t");
        assertThat(before.replicas()).isEqualTo(Route.Replicas.LIVE);
        assertThat(before.effective(io.thoonk.client.Durability.AUTO)).isEqualTo(io.thoonk.client.Durability.REPLICATED);

        RouteTable.Changed changed = table.apply(DirectoryChange.newBuilder().setRevision(11)
                .setShard(shard("s0", a, 1).toBuilder().addReplicas(b.address())
                        .setState(io.thoonk.proto.v1.ShardState.SHARD_DEGRADED).build()).build());

        assertThat(changed.shards()).containsExactly("s0");
        Route after = cachedRoute("t");
        assertThat(after.replicas()).isEqualTo(Route.Replicas.NONE);
        assertThat(after.effective(io.thoonk.client.Durability.AUTO)).isEqualTo(io.thoonk.client.Durability.PRIMARY);
        assertThat(after.shard()).isSameAs(before.shard());
        assertThat(after).isNotEqualTo(before);
        assertThat(table.apply(DirectoryChange.newBuilder().setRevision(12).setShard(shard("s0", a, 1).toBuilder()
                .addReplicas(b.address()).setState(io.thoonk.proto.v1.ShardState.SHARD_DEGRADED).setWeight(5).build())
                .build()).shards()).as("a weight is not the clients' business").isEmpty();
    }

    @Test
    void a_new_primary_reroutes_cached_teams_and_closes_the_old_primarys_connection() {
        table.reset(list(10, shard("s0", a, 1)));
        table.learn(answer(10, team("t", "s0", 1)));
        assertThat(cachedRoute("t").shard().uri().getPort()).isEqualTo(a.port());
        assertThat(thoonkConnections(a)).isEqualTo(1);

        RouteTable.Changed changed = table.apply(DirectoryChange.newBuilder().setRevision(11)
                .setShard(shard("s0", b, 2)).build());

        assertThat(changed.shards()).containsExactly("s0");
        assertThat(cachedRoute("t").shard().uri().getPort()).isEqualTo(b.port());
        assertThat(pool.primaries()).containsExactly(b.address());
        await().atMost(Duration.ofSeconds(5)).until(() -> thoonkConnections(a) == 0);
    }

    @Test
    void a_reset_forgets_cached_teams_and_reports_every_shard_that_changed() {
        table.reset(list(10, shard("s0", a, 1)));
        table.learn(answer(10, team("t", "s0", 1)));

        RouteTable.Changed changed = table.reset(list(20, shard("s1", b, 1)));

        assertThat(changed.shards()).isEqualTo(Set.of("s0", "s1"));
        assertThat(changed.teams()).containsExactly("t");
        assertThat(table.cached("t")).isNull();
        assertThat(table.snapshot().revision()).isEqualTo(20);
        assertThat(pool.primaries()).isEmpty();
    }

    @Test
    void a_freeze_and_its_end_change_the_cached_route_and_are_reported_as_team_changes() {
        table.reset(list(10, shard("s0", a, 1), shard("s1", b, 1)));
        table.learn(answer(10, team("t", "s0", 1)));
        assertThat(cachedRoute("t").teamFrozen()).isFalse();

        RouteTable.Changed frozen = table.apply(DirectoryChange.newBuilder().setRevision(11)
                .setTeam(team("t", "s0", 1).toBuilder().setState(TeamState.TEAM_FROZEN)).build());
        assertThat(frozen.teams()).containsExactly("t");
        assertThat(cachedRoute("t").teamFrozen()).as("the directory says a move froze t").isTrue();
        assertThat(cachedRoute("t").epoch()).isEqualTo(1);

        RouteTable.Changed switched = table.apply(DirectoryChange.newBuilder().setRevision(12)
                .setTeam(team("t", "s1", 2).toBuilder().setState(TeamState.TEAM_ACTIVE)).build());
        assertThat(switched.teams()).containsExactly("t");
        Route after = cachedRoute("t");
        assertThat(after.teamFrozen()).isFalse();
        assertThat(after.shardId()).isEqualTo("s1");
        assertThat(after.epoch()).isEqualTo(2);
    }
}
