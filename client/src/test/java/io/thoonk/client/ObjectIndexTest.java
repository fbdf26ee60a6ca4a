package io.thoonk.client;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The per-team object index ({@code thoonk.team.objects:[team]}): kept by the scripts in the same
 * atomic step as creates and deletes, and filled in for objects of original Thoonk peers the first
 * time one of our scripts changes them.
 */
class ObjectIndexTest extends ClientTestSupport {


    @Test
    void every_object_created_joins_its_teams_index_and_leaves_it_when_deleted() {
        thoonk.feed("team:7:news").publish("x");
        thoonk.sortedFeed("team:7:list").append("x");
        thoonk.queue("team:7:mail").put("x");
        thoonk.jobs("team.7.jobs").put("x");
        thoonk.registry().create("team:7:empty", ObjectType.FEED, Map.of());
        thoonk.feed("users").publish("x");

        assertThat(peer().smembers(Keys.teamObjects("7"))).containsExactlyInAnyOrder(
                "team:7:news", "team:7:list", "team:7:mail", "team.7.jobs", "team:7:empty");
        assertThat(peer().smembers(Keys.teamObjects("global"))).containsExactly("users");

        thoonk.registry().delete("team:7:news");
        thoonk.registry().delete("team.7.jobs");
        assertThat(peer().smembers(Keys.teamObjects("7"))).containsExactlyInAnyOrder(
                "team:7:list", "team:7:mail", "team:7:empty");
        for (String name : List.of("team:7:list", "team:7:mail", "team:7:empty")) {
            thoonk.registry().delete(name);
        }
        assertThat(peer().exists(Keys.teamObjects("7"))).isZero();
    }

    @Test
    void a_peer_object_joins_the_index_the_first_time_our_scripts_change_it_not_when_they_read_it() {
        // thoonk.js creates a feed and publishes to it: no index
        peer().sadd(Keys.FEEDS, "team:9:chat");
        peer().hset(Keys.config("team:9:chat"), "type", "feed");
        peer().zadd(Keys.ids("team:9:chat"), System.currentTimeMillis(), "p1");
        peer().hset(Keys.items("team:9:chat"), "p1", "theirs");
        Feed feed = thoonk.feed("team:9:chat");

        assertThat(feed.ids()).containsExactly("p1");
        assertThat(peer().exists(Keys.teamObjects("9"))).as("reads write nothing").isZero();
        assertThatThrownBy(() -> feed.edit("ghost", "x")).isInstanceOf(NoSuchItemException.class);
        assertThat(peer().exists(Keys.teamObjects("9"))).as("a refused write writes nothing").isZero();

        feed.publish("ours");
        assertThat(peer().smembers(Keys.teamObjects("9"))).containsExactly("team:9:chat");

        // a peer queue, consumed by us
        peer().hset(Keys.config("team:9:q"), "type", "queue");
        peer().lpush(Keys.ids("team:9:q"), "q1");
        peer().hset(Keys.items("team:9:q"), "q1", "hello");
        assertThat(thoonk.queue("team:9:q").get(Duration.ofSeconds(1))).contains("hello");
        assertThat(peer().smembers(Keys.teamObjects("9"))).containsExactlyInAnyOrder("team:9:chat", "team:9:q");
    }

    @Test
    void a_call_with_many_publishes_indexes_once() {
        thoonk.registry().create("team:3:f", ObjectType.FEED, Map.of());
        peer().del(Keys.teamObjects("3"));
        peer().configResetstat();

        List<Object> revisions = Script.FEED.<List<Object>>run(peerConnection().async(), ScriptOutputType.MULTI,
                Keys.common("team:3:f", "3", Keys.specific("feed", "team:3:f")),
                "team:3:f", "peer", "", "100", "publish", "a", "1", "b", "2", "c", "3", "d", "4").join();

        assertThat(revisions).containsExactly(1L, 2L, 3L, 4L);
        assertThat(peer().smembers(Keys.teamObjects("3"))).containsExactly("team:3:f");
        assertThat(peer().info("commandstats")).contains("cmdstat_sadd:calls=1,");
    }
}
