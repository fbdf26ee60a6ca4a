package io.thoonk.it;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.client.Published;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An original thoonk.js subscriber next to the routing client. thoonk.js subscribes to
 * {@code feed.publish:<feed>} and takes the feed's name from the channel split on {@code ':'}
 * (the second part), so it hears objects named with dots ({@code team.7.news}) and not those named
 * with colons ({@code team:7:news}, which it files under "team"). Played here with raw Lettuce.
 */
class ThoonkJsPeerRoutingTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0", "s1"));

    /** What a thoonk.js feed subscriber makes of one message: the feed name, the id and the item. */
    record Heard(String feed, String id, String item) {
        static Heard asThoonkJsParsesIt(String channel, String message) {
            String[] chans = channel.split(":");
            String[] args = message.split("\u0000");
            return new Heard(chans[1], args[0], args.length > 1 ? args[1] : "");
        }
    }

    @Test
    void a_thoonk_js_subscriber_hears_dotted_names_published_through_the_routing_client() {
        String dotted = "team.7.news";
        String colons = "team:7:news";
        LocalCluster cluster = local.cluster();
        try (Thoonk thoonk = Thoonk.connectCluster(cluster.coordinators().addresses(), ThoonkOptions.defaults())) {
            thoonk.feed(dotted).publish("places the team");
            String shardId = AdminGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinator()))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).getTeam(GetTeamRequest.newBuilder().setTeam("7").build())
                    .getPlacement().getShardId();
            RedisProcess home = cluster.shard(shardId).primary();

            RedisClient peer = RedisClient.create(home.uri());
            try (StatefulRedisPubSubConnection<String, String> pubSub = peer.connectPubSub()) {
                List<Heard> heard = new CopyOnWriteArrayList<>();
                pubSub.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        heard.add(Heard.asThoonkJsParsesIt(channel, message));
                    }
                });
                pubSub.sync().subscribe("feed.publish:" + dotted, "feed.publish:" + colons);

                Published dottedItem = thoonk.feed(dotted).publish("dotted");
                Published colonItem = thoonk.feed(colons).publish("colons");

                await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == 2);
                assertThat(heard).containsExactlyInAnyOrder(
                        new Heard(dotted, dottedItem.id(), "dotted"),
                        new Heard("team", colonItem.id(), "colons")); // why thoonk.js peers need dotted names
            } finally {
                peer.shutdown();
            }
        }
    }
}
