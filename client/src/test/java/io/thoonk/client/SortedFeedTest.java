package io.thoonk.client;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SortedFeedTest extends ClientTestSupport {

    SortedFeed list;
    EventRecorder events;

    @BeforeEach
    void setUp() {
        list = thoonk.sortedFeed("team:9:agenda");
        events = new EventRecorder();
        list.subscribe(events);
    }

    @Test
    void inserts_land_where_asked_and_announce_contract_positions() {
        String a = list.append("a").id();
        String b = list.append("b").id();
        String first = list.prepend("first").id();
        String beforeB = list.publishBefore(b, "before-b").id();
        String afterA = list.publishAfter(a, "after-a").id();

        assertThat(List.of(a, b, first, beforeB, afterA)).containsExactly("1", "2", "3", "4", "5");
        assertThat(list.ids()).containsExactly(first, a, afterA, beforeB, b);
        assertThat(list.all()).extracting(Item::value).containsExactly("first", "a", "after-a", "before-b", "b");
        List<Event> got = events.awaitCount(5);
        assertThat(got).extracting(Event::type).containsOnly(EventType.PUBLISH);
        assertThat(got).extracting(Event::position).containsExactly(":end", ":end", "begin:", ":" + b, a + ":");
        assertThat(got).extracting(Event::revision).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void move_edit_retract() {
        String a = list.append("a").id();
        String b = list.append("b").id();
        String c = list.append("c").id();

        list.move(c, Position.begin());
        assertThat(list.ids()).containsExactly(c, a, b);
        list.move(c, Position.after(b));
        assertThat(list.ids()).containsExactly(a, b, c);
        list.move(a, Position.before(c));
        assertThat(list.ids()).containsExactly(b, a, c);
        list.move(b, Position.end());
        assertThat(list.ids()).containsExactly(a, c, b);

        Published edited = list.edit(a, "A");
        assertThat(list.get(a)).contains(new Item(a, "A", edited.revision()));
        assertThat(list.retract(c)).isTrue();
        assertThat(list.retract(c)).isFalse();
        assertThat(list.ids()).containsExactly(a, b);

        List<Event> got = events.awaitCount(9);
        assertThat(got.subList(3, 9)).extracting(Event::type).containsExactly(EventType.POSITION, EventType.POSITION,
                EventType.POSITION, EventType.POSITION, EventType.EDIT, EventType.RETRACT);
        assertThat(got.subList(3, 7)).extracting(Event::position).containsExactly("begin:", b + ":", ":" + c, ":end");
    }

    @Test
    void bad_moves_are_refused_and_change_nothing() {
        String a = list.append("a").id();
        String b = list.append("b").id();
        long revision = list.revision();

        assertThatThrownBy(() -> list.move(a, Position.before(a)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("itself");
        assertThatThrownBy(() -> list.move("77", Position.end()))
                .isInstanceOfSatisfying(NoSuchItemException.class, e -> assertThat(e.id()).isEqualTo("77"));
        assertThatThrownBy(() -> list.move(a, Position.after("88")))
                .isInstanceOfSatisfying(NoSuchItemException.class, e -> assertThat(e.id()).isEqualTo("88"));
        assertThatThrownBy(() -> list.publishBefore("99", "x"))
                .isInstanceOfSatisfying(NoSuchItemException.class, e -> assertThat(e.id()).isEqualTo("99"));
        assertThatThrownBy(() -> list.edit("55", "x")).isInstanceOf(NoSuchItemException.class);
        assertThatThrownBy(() -> Position.parse("nowhere")).isInstanceOf(InvalidArgumentException.class);

        assertThat(list.ids()).containsExactly(a, b);
        assertThat(list.revision()).isEqualTo(revision);
    }

    @Test
    void stale_edit_conflicts() {
        Published a = list.append("a");
        list.edit(a.id(), "a2", a.revision());
        assertThatThrownBy(() -> list.edit(a.id(), "a3", a.revision()))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.currentRevision()).isEqualTo(2));
        assertThat(list.get(a.id()).orElseThrow().value()).isEqualTo("a2");
    }

    @Test
    void positions_parse_and_print_in_contract_notation() {
        assertThat(Position.parse("begin:")).isEqualTo(Position.begin());
        assertThat(Position.parse(":end")).isEqualTo(Position.end());
        assertThat(Position.parse(":7")).isEqualTo(Position.before("7"));
        assertThat(Position.parse("7:")).isEqualTo(Position.after("7"));
        assertThat(Position.after("7").notation()).isEqualTo("7:");
    }
}
