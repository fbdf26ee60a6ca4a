package io.thoonk.client;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Plays an original Thoonk client (thoonk.js / thoonk.py) in another language: the peer side uses
 * only raw Redis commands from shared/thoonk-contract.md, no project code. Checks both directions:
 * the peer reads and hears what we write, and our subscribers receive what the peer publishes.
 */
class ContractPeerTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    RedisClient peerClient;
    RedisCommands<String, String> peer;
    StatefulRedisPubSubConnection<String, String> peerPubSub;
    final List<String> heard = new CopyOnWriteArrayList<>();
    Thoonk thoonk;

    @BeforeEach
    void connect() {
        redis.flushAll();
        peerClient = RedisClient.create(redis.primaryUri());
        StatefulRedisConnection<String, String> conn = peerClient.connect();
        peer = conn.sync();
        peerPubSub = peerClient.connectPubSub();
        peerPubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                heard.add(channel + " " + message);
            }

            @Override
            public void message(String pattern, String channel, String message) {
                heard.add(channel + " " + message);
            }
        });
        thoonk = Thoonk.connect(redis.primaryUri());
    }

    @AfterEach
    void close() {
        thoonk.close();
        peerClient.shutdown();
    }

    private void awaitHeard(int n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() >= n);
    }

    // ---- the peer reads and hears what we write ----

    @Test
    void peer_reads_and_hears_our_feed() {
        peerPubSub.sync().subscribe("newfeed", "feed.publish:news", "feed.edit:news", "feed.retract:news");
        Feed feed = thoonk.feed("news");
        Published a = feed.publish("alpha");
        feed.publish("beta", "b");
        feed.edit("b", "beta2");
        feed.retract(a.id());

        assertThat(peer.smembers("feeds")).containsExactly("news");
        assertThat(peer.hget("feed.config:news", "type")).isEqualTo("feed");
        assertThat(peer.zrange("feed.ids:news", 0, -1)).containsExactly("b");
        assertThat(peer.hget("feed.items:news", "b")).isEqualTo("beta2");
        assertThat(Double.parseDouble(peer.zscore("feed.ids:news", "b").toString()))
                .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000.0));
        assertThat(peer.get("feed.publishes:news")).isEqualTo("3");
        awaitHeard(5);
        assertThat(heard).containsExactly(
                "newfeed news\0" + thoonk.options().instanceId(),
                "feed.publish:news " + a.id() + "\0alpha",
                "feed.publish:news b\0beta",
                "feed.edit:news b\0beta2",
                "feed.retract:news " + a.id());
    }

    @Test
    void peer_hears_sorted_feed_positions_and_reads_the_order() {
        peerPubSub.sync().psubscribe("feed.p*:todo");
        SortedFeed list = thoonk.sortedFeed("todo");
        String one = list.append("one").id();
        String zero = list.prepend("zero").id();
        list.move(one, Position.before(zero));

        assertThat(peer.hget("feed.config:todo", "type")).isEqualTo("sorted_feed");
        assertThat(peer.lrange("feed.ids:todo", 0, -1)).containsExactly(one, zero);
        assertThat(peer.get("feed.idincr:todo")).isEqualTo("2");
        awaitHeard(5);
        assertThat(heard).containsExactly(
                "feed.publish:todo 1\0one", "feed.position:todo 1\0:end",
                "feed.publish:todo 2\0zero", "feed.position:todo 2\0begin:",
                "feed.position:todo 1\0:2");
    }

    @Test
    void peer_works_our_jobs_and_queue_and_hears_finish() {
        peerPubSub.sync().subscribe("job.finish:render");
        Jobs jobs = thoonk.jobs("render");
        String id = jobs.put("frame").id();
        assertThat(peer.hget("feed.config:render", "type")).isEqualTo("job");
        assertThat(peer.zscore("feed.published:render", id)).isNotNull();
        // thoonk.js worker: BRPOP the id, claim it, read the payload
        assertThat(peer.brpop(1, "feed.ids:render").getValue()).isEqualTo(id);
        peer.zadd("feed.claimed:render", System.currentTimeMillis(), id);
        assertThat(peer.hget("feed.items:render", id)).isEqualTo("frame");
        // and our finish of a job the peer claimed
        jobs.finish(id, "ok");
        awaitHeard(1);
        assertThat(heard).containsExactly("job.finish:render " + id + "\0ok");
        assertThat(peer.get("feed.finishes:render")).isEqualTo("1");
        assertThat(peer.zcard("feed.claimed:render")).isZero();

        thoonk.queue("mail").put("first");
        thoonk.queue("mail").put("second");
        String taken = peer.brpop(1, "feed.ids:mail").getValue();
        assertThat(peer.hget("feed.items:mail", taken)).isEqualTo("first");
    }

    // ---- we receive and read what the peer publishes ----

    @Test
    void our_subscribers_receive_peer_events_between_ours_without_duplicates() {
        EventRecorder events = new EventRecorder();
        thoonk.subscribePattern("team:8:*", events);
        Feed feed = thoonk.feed("team:8:chat");
        feed.publish("ours-1", "o1");
        // a thoonk.js publish
        peer.sadd("feeds", "team:8:chat");
        peer.zadd("feed.ids:team:8:chat", System.currentTimeMillis(), "p1");
        peer.hset("feed.items:team:8:chat", "p1", "theirs");
        peer.incr("feed.publishes:team:8:chat");
        peer.publish("feed.publish:team:8:chat", "p1\0theirs");
        feed.publish("ours-2", "o2");
        peer.publish("feed.retract:team:8:chat", "p1");
        peer.publish("feed.position:team:8:list", "4\0:end");
        peer.publish("job.finish:team:8:jobs", "j\0result");

        List<Event> got = events.awaitCount(6);
        assertThat(got).extracting(e -> e.type() + " " + e.id() + " " + e.revision()).containsExactly(
                "PUBLISH o1 1", "PUBLISH p1 0", "PUBLISH o2 2", "RETRACT p1 0", "POSITION 4 0", "FINISH j 0");
        assertThat(got.get(1).item()).isEqualTo("theirs");
        assertThat(got.get(4).position()).isEqualTo(":end");
        assertThat(got.get(5).item()).isEqualTo("result");
        await().during(Duration.ofMillis(200)).until(() -> events.events.size() == 6);

        assertThat(feed.get("p1")).contains(new Item("p1", "theirs", 0));
        assertThat(feed.ids()).containsExactly("o1", "p1", "o2");
    }

    @Test
    void we_consume_peer_jobs_and_queue_items_and_edit_peer_feeds() {
        // thoonk.js job put
        peer.sadd("feeds", "peerjobs");
        peer.hset("feed.config:peerjobs", "type", "job");
        peer.lpush("feed.ids:peerjobs", "j1");
        peer.hset("feed.items:peerjobs", "j1", "payload");
        peer.zadd("feed.published:peerjobs", System.currentTimeMillis(), "j1");
        Jobs jobs = thoonk.jobs("peerjobs");
        assertThat(jobs.get(Duration.ofSeconds(1))).contains(new Job("j1", "payload", 0));
        jobs.finish("j1", "done");
        assertThat(peer.exists("feed.items:peerjobs")).isZero();

        // thoonk.js queue put (FIFO: LPUSH, consumers pop from the right)
        peer.hset("feed.config:peerq", "type", "queue");
        peer.lpush("feed.ids:peerq", "q1");
        peer.hset("feed.items:peerq", "q1", "hello");
        assertThat(thoonk.queue("peerq").get(Duration.ofSeconds(1))).contains("hello");

        // a feed created by a peer with max_length: we honour its config
        peer.hset("feed.config:peerfeed", "type", "feed");
        peer.hset("feed.config:peerfeed", "max_length", "2");
        Feed feed = thoonk.feed("peerfeed");
        feed.publish("1", "a");
        feed.publish("2", "b");
        feed.publish("3", "c");
        assertThat(peer.zrange("feed.ids:peerfeed", 0, -1)).containsExactly("b", "c");
    }
}
