package io.thoonk.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input gets a specific exception with a clear message, and nothing is written. */
class ValidationTest extends ClientTestSupport {

    @Override
    ThoonkOptions options() {
        return ThoonkOptions.builder().maxItemBytes(1000).build();
    }

    /** Nothing but the replies of the writes a test made on purpose (request keys, which expire by themselves). */
    @AfterEach
    void nothingWritten() {
        String keys = redis.primary().call("KEYS *");
        assertThat(keys == null ? java.util.List.<String>of() : keys.lines().toList()).as("nothing written")
                .allMatch(k -> k.startsWith(io.thoonk.contract.Keys.REQUEST_PREFIX)
                        || k.startsWith(io.thoonk.contract.Keys.TEAM_REQUESTS_PREFIX));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "tab\there", "nul\0byte", "star*", "question?", "[bracket]", "back\\slash",
        "new\nline"})
    void bad_object_names_are_refused(String name) {
        assertThatThrownBy(() -> thoonk.feed(name)).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("object name");
    }

    @Test
    void over_long_names_and_ids_are_refused_with_the_limit() {
        String longName = "n".repeat(513);
        assertThatThrownBy(() -> thoonk.feed(longName)).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("513 bytes").hasMessageContaining("512");
        assertThat(thoonk.feed("n".repeat(512)).name()).hasSize(512);
        // multi-byte characters count in UTF-8 bytes
        assertThatThrownBy(() -> thoonk.feed("é".repeat(257))).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> thoonk.feed("f").publish("x", "i".repeat(600))).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> thoonk.feed("f").publish("x", "")).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("id must not be empty");
        assertThatThrownBy(() -> thoonk.feed("f").publish("x", "a\0b")).isInstanceOf(InvalidNameException.class)
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> thoonk.feed(null)).isInstanceOf(InvalidNameException.class);
        assertThatThrownBy(() -> thoonk.subscribePattern("has space*", e -> { })).isInstanceOf(InvalidNameException.class);
    }

    @Test
    void null_and_oversize_items_are_refused() {
        Feed feed = thoonk.feed("f");
        assertThatThrownBy(() -> feed.publish(null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("must not be null");
        assertThatThrownBy(() -> feed.publish("x".repeat(1001)))
                .isInstanceOfSatisfying(ItemTooLargeException.class, e -> {
                    assertThat(e.size()).isEqualTo(1001);
                    assertThat(e.limit()).isEqualTo(1000);
                    assertThat(e.getMessage()).contains("maxItemBytes");
                });
        assertThatThrownBy(() -> feed.publish("€".repeat(334))).isInstanceOf(ItemTooLargeException.class);
        assertThatThrownBy(() -> thoonk.jobs("j").put("y".repeat(2000))).isInstanceOf(ItemTooLargeException.class);
        assertThatThrownBy(() -> thoonk.queue("q").put(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> thoonk.queue("q").get(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void bad_settings_are_refused() {
        assertThatThrownBy(() -> thoonk.registry().create("f", ObjectType.FEED, Map.of("max_length", "-1")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("max_length");
        assertThatThrownBy(() -> thoonk.registry().create("f", ObjectType.FEED, Map.of("type", "queue")))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> thoonk.registry().configure("absent", Map.of("max_length", "5")))
                .isInstanceOf(NoSuchObjectException.class).hasMessageContaining("absent");
        assertThatThrownBy(() -> ObjectType.fromContractName("table")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ThoonkOptions.builder().maxItemBytes(0).build())
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ThoonkOptions.builder().publishBatch(0).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("publishBatch");
        assertThatThrownBy(() -> ThoonkOptions.builder().publishBatch(1001).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("between 1 and 1000");
    }

    @Test
    void using_an_object_as_the_wrong_type_is_refused_and_changes_nothing() {
        thoonk.queue("team:3:thing").put("item");
        String before = redis.primary().call("DUMP feed.ids:team:3:thing");

        assertThatThrownBy(() -> thoonk.feed("team:3:thing").publish("x"))
                .isInstanceOfSatisfying(WrongTypeException.class, e -> {
                    assertThat(e.actual()).isEqualTo(ObjectType.QUEUE);
                    assertThat(e.requested()).isEqualTo(ObjectType.FEED);
                    assertThat(e.getMessage()).contains("'team:3:thing' is a queue, not a feed");
                });
        assertThatThrownBy(() -> thoonk.sortedFeed("team:3:thing").append("x")).isInstanceOf(WrongTypeException.class);
        assertThatThrownBy(() -> thoonk.jobs("team:3:thing").put("x")).isInstanceOf(WrongTypeException.class);
        assertThatThrownBy(() -> thoonk.feed("team:3:thing").ids()).isInstanceOf(WrongTypeException.class);
        assertThatThrownBy(() -> thoonk.registry().create("team:3:thing", ObjectType.JOB, Map.of()))
                .isInstanceOf(WrongTypeException.class);
        assertThat(redis.primary().call("DUMP feed.ids:team:3:thing")).isEqualTo(before);
        assertThat(thoonk.queue("team:3:thing").size()).isEqualTo(1);
        thoonk.registry().delete("team:3:thing");
        redis.primary().call("DEL feed.revision:team:3:thing feed.history:team:3:thing thoonk.team.deleted:3");
    }

    @Test
    void unknown_ids_are_refused() {
        assertThatThrownBy(() -> thoonk.feed("f").edit("ghost", "x")).isInstanceOf(NoSuchItemException.class)
                .hasMessageContaining("'f' has no item with id 'ghost'");
        assertThatThrownBy(() -> thoonk.sortedFeed("s").move("1", Position.end())).isInstanceOf(NoSuchItemException.class);
        assertThatThrownBy(() -> thoonk.jobs("j").finish("ghost")).isInstanceOf(NoSuchItemException.class);
        assertThatThrownBy(() -> thoonk.jobs("j").retry("ghost")).isInstanceOf(NoSuchItemException.class);
        // (the close() check: the refused writes above did not even create the objects)
    }

    @Test
    void team_rule_reads_team_prefixes_and_falls_back_to_the_global_team() {
        TeamRule rule = TeamRule.standard("lobby");
        assertThat(rule.teamOf("team:353:member:7:tasks")).isEqualTo("353");
        assertThat(rule.teamOf("team.42.feed")).isEqualTo("42");
        assertThat(rule.teamOf("team:x")).isEqualTo("x");
        assertThat(rule.teamOf("users")).isEqualTo("lobby");
        assertThat(rule.teamOf("team::oops")).isEqualTo("lobby");
        assertThat(rule.teamOf("teams:1")).isEqualTo("lobby");

        // patterns within one team are subscribed on that team's shard; others on every shard
        assertThat(rule.teamOfPattern("team:353:*")).contains("353");
        assertThat(rule.teamOfPattern("team.7.feed?")).contains("7");
        assertThat(rule.teamOfPattern("team:*:tasks")).isEmpty();
        assertThat(rule.teamOfPattern("team:3*:tasks")).isEmpty();
        assertThat(rule.teamOfPattern("team:353")).isEmpty();
        assertThat(rule.teamOfPattern("*")).isEmpty();
        assertThat(rule.teamOfPattern("users*")).isEmpty();
    }

    @Test
    void the_team_rule_yields_only_team_ids_a_coordinator_accepts() {
        TeamRule rule = TeamRule.standard("lobby");
        assertThat(rule.teamOf("team.a:b.news")).as("a dotted id holding ':' spells no team").isEqualTo("lobby");
        assertThat(rule.teamOf("team:a.b:news")).isEqualTo("a.b");
        assertThatThrownBy(() -> TeamRule.standard("lobby:1")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageStartingWith("globalTeam: team name 'lobby:1' contains ':' at index 5");
        assertThatThrownBy(() -> TeamRule.standard("")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("globalTeam: team name must not be empty");
    }
}
