package io.thoonk.it;

import io.thoonk.client.Durability;
import io.thoonk.client.Event;
import io.thoonk.client.Item;
import io.thoonk.client.RedisAuthenticationException;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The routing client on a cluster whose Redis nodes require a password, as deployments run it
 * (real coordinators and redis-server processes with {@code requirepass}): with the credentials
 * given once, every shard connection authenticates (commands, replicated writes, pub/sub, blocking
 * waits), and so do the coordinators' (a team move); with wrong ones or none, calls fail at once
 * with {@link RedisAuthenticationException}.
 */
class RoutingAuthenticationTest {

    static final String SECRET = "cluster-pw";

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0", "s1")
            .replicasPerShard(1).redisPassword(SECRET));

    /** Long, so that failing at once cannot be the deadline passing. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    static Thoonk connect(RedisCredentials credentials) {
        return Thoonk.connectCluster(local.cluster().coordinators().addresses(), ThoonkOptions.builder()
                .commandTimeout(DEADLINE).redisCredentials(credentials).build());
    }

    @Test
    void with_the_password_the_client_writes_replicated_subscribes_waits_and_rides_a_move_on_every_shard()
            throws Exception {
        LocalCluster cluster = local.cluster();
        assertThat(cluster.redisCredentials()).isEqualTo(RedisCredentials.password(SECRET.toCharArray()));
        try (Thoonk thoonk = connect(cluster.redisCredentials())) {
            List<Event> events = new CopyOnWriteArrayList<>();
            thoonk.subscribePattern("team:*:news", events::add);
            for (int t = 0; t < 20; t++) {
                thoonk.feed("team:" + t + ":news").withDurability(Durability.REPLICATED).publish("item " + t);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 20);
            thoonk.queue("team:7:work").put("job");
            assertThat(thoonk.queue("team:7:work").get(Duration.ofSeconds(5))).contains("job");

            // the move's copies go through the coordinator's authenticated connections to both primaries
            AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(cluster.coordinators()
                    .channel(cluster.coordinator())).withDeadlineAfter(10, TimeUnit.SECONDS);
            String from = admin.getTeam(GetTeamRequest.newBuilder().setTeam("7").build()).getPlacement().getShardId();
            String to = from.equals("s0") ? "s1" : "s0";
            MoveCall.start(cluster.coordinators().channel(cluster.coordinator()), "7", to).finish();
            assertThat(thoonk.feed("team:7:news").all()).extracting(Item::value).containsExactly("item 7");
            assertThat(cluster.shard(to).primary().call("HGET feed.items:team:7:news " + thoonk.feed("team:7:news")
                    .all().get(0).id())).isEqualTo("item 7");
        }
        for (RedisShard shard : cluster.shards().values()) {
            RedisProcess primary = shard.primary();
            assertThat(primary.call("DBSIZE")).as("%s holds teams", primary).isNotEqualTo("0");
        }
    }

    @Test
    void with_a_wrong_password_or_none_calls_fail_at_once_with_the_refusal() {
        for (RedisCredentials credentials : List.of(RedisCredentials.password("wrong-pw".toCharArray()),
                RedisCredentials.none())) {
            try (Thoonk thoonk = connect(credentials)) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> thoonk.feed("team:1:news").publish("x"))
                        .isInstanceOf(RedisAuthenticationException.class)
                        .hasMessageMatching("Redis at 127\\.0\\.0\\.1:\\d+ refused the credentials: "
                                + (credentials.isPresent() ? "WRONGPASS" : "NOAUTH") + " .*")
                        .hasMessageNotContaining("wrong-pw");
                assertThatThrownBy(() -> thoonk.feed("team:2:news").subscribe(event -> { }))
                        .isInstanceOf(RedisAuthenticationException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.dividedBy(4));
            }
        }
    }
}
