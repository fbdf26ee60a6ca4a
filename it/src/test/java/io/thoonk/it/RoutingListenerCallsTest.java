package io.thoonk.it;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Item;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Listeners of a routing client run on its pub/sub I/O threads and call the client there: blocking
 * calls to teams on every shard (teams resolved for the first time from inside the listener
 * included), and subscriptions opened and closed inside {@code onEvent} (on the listener's own
 * shard, whose pub/sub connection is the one the listener holds, on another shard, and across all
 * of them). Every call must end promptly: one that waited for its own thread would end only at the
 * command timeout.
 */
class RoutingListenerCallsTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0", "s1", "s2"));

    static final Duration PROMPT = Duration.ofSeconds(3);
    static final int TEAMS = 12;

    Thoonk thoonk;

    @BeforeEach
    void connect() {
        thoonk = Thoonk.connectCluster(List.of(local.cluster().coordinator().address()), ThoonkOptions.defaults());
    }

    @AfterEach
    void close() {
        thoonk.close();
    }

    /** A recorder of one subscription's events. */
    static final class Recorder implements EventListener {
        final List<Event> events = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(Event event) {
            events.add(event);
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }

        List<String> items() {
            return events.stream().map(Event::item).toList();
        }
    }

    @Test
    void a_listener_calls_the_routing_client_on_every_shard_and_subscribes_and_closes_inside_on_event() {
        Recorder sameShard = new Recorder();
        Recorder otherTeam = new Recorder();
        Recorder acrossShards = new Recorder();
        Map<String, Subscription> opened = new ConcurrentHashMap<>();
        List<Long> callMillis = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        Feed control = thoonk.feed("team:0:control");
        thoonk.subscribe("team:0:control", new EventListener() {
            @Override
            public void onEvent(Event e) {
                long start = System.nanoTime();
                String[] command = e.item().split(" ");
                switch (command[0]) {
                    case "round" -> {
                        for (int t = 1; t <= TEAMS; t++) {
                            thoonk.feed("team:" + t + ":out").publish(command[1]);
                        }
                        List<String> all = thoonk.feed("team:1:out").all().stream().map(Item::value).toList();
                        if (!all.contains(command[1])) {
                            throw new AssertionError("team:1:out lacks " + command[1] + ": " + all);
                        }
                        if (control.replay(e.revision()).get(0).revision() != e.revision()) {
                            throw new AssertionError("replay of " + e.revision());
                        }
                    }
                    case "open" -> {
                        opened.put("same", thoonk.subscribe("team:0:side", sameShard));
                        opened.put("other", thoonk.subscribe("team:7:side", otherTeam));
                        opened.put("across", thoonk.subscribePattern("team:*:wide", acrossShards));
                        // before Redis may have confirmed the subscriptions: still delivered
                        thoonk.feed("team:0:side").publish("from the listener");
                        thoonk.feed("team:7:side").publish("from the listener");
                    }
                    case "close" -> opened.values().forEach(Subscription::close);
                    default -> throw new IllegalStateException(e.item());
                }
                callMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }

            @Override
            public void onError(Throwable error) {
                errors.add(error);
            }
        });

        for (int round = 1; round <= 5; round++) {
            control.publish("round " + round);
        }
        control.publish("open");
        await().atMost(Duration.ofSeconds(30)).failFast(() -> !errors.isEmpty()).until(() -> callMillis.size() == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> sameShard.events.size() == 1 && otherTeam.events.size() == 1);
        assertThat(sameShard.items()).containsExactly("from the listener");
        assertThat(otherTeam.items()).containsExactly("from the listener");
        for (int t = 1; t <= TEAMS; t++) {
            assertThat(thoonk.feed("team:" + t + ":out").all()).extracting(Item::value)
                    .containsExactly("1", "2", "3", "4", "5");
        }
        // the cross-shard pattern hears what is published once Redis confirmed it, on every shard
        for (int t = 1; t <= TEAMS; t++) {
            Feed wide = thoonk.feed("team:" + t + ":wide");
            String object = wide.name();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                wide.publish("probe");
                return acrossShards.events.stream().anyMatch(e -> e.object().equals(object));
            });
        }
        thoonk.feed("team:0:side").publish("later");
        thoonk.feed("team:7:side").publish("later");
        await().atMost(Duration.ofSeconds(10)).until(() -> sameShard.events.size() == 2 && otherTeam.events.size() == 2);

        control.publish("close");
        await().atMost(Duration.ofSeconds(10)).until(() -> callMillis.size() == 7);
        int wideEvents = acrossShards.events.size();
        thoonk.feed("team:0:side").publish("after closing");
        thoonk.feed("team:7:side").publish("after closing");
        thoonk.feed("team:3:wide").publish("after closing");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> sameShard.events.size() == 2
                && otherTeam.events.size() == 2 && acrossShards.events.size() == wideEvents);

        assertThat(errors).isEmpty();
        assertThat(sameShard.errors).isEmpty();
        assertThat(otherTeam.errors).isEmpty();
        assertThat(acrossShards.errors).isEmpty();
        assertThat(sameShard.events).extracting(Event::revision).containsExactly(1L, 2L);
        assertThat(callMillis).allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT.toMillis()));
    }
}
