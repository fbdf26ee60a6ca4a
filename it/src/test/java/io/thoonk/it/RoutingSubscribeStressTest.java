package io.thoonk.it;

import io.thoonk.client.Event;
import io.thoonk.client.EventListener;
import io.thoonk.client.Feed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A fresh routing client publishing to a new team and then subscribing, over and over, on a
 * cluster of two shards: what a new user does first. Each round's subscribe must work and each
 * close must return promptly (issue 8: half of such rounds used to time out and then hang in close).
 */
class RoutingSubscribeStressTest {

    private static final int ROUNDS = 30;
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(5);

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0", "s1"));

    @Test
    void fresh_clients_publish_then_subscribe_and_close_promptly_every_round() throws Exception {
        List<String> coordinators = local.cluster().coordinators().addresses();
        ThoonkOptions options = ThoonkOptions.builder().commandTimeout(Duration.ofSeconds(5)).build();
        for (int round = 0; round < ROUNDS; round++) {
            String name = "team." + (1000 + round) + ".news";
            Thoonk thoonk = Thoonk.connectCluster(coordinators, options);
            List<Event> events = new CopyOnWriteArrayList<>();
            try {
                Feed feed = thoonk.feed(name);
                for (int i = 0; i < 10; i++) {
                    feed.publish("before " + i);
                }
                Subscription sub = thoonk.subscribe(name, (EventListener) events::add);
                feed.publish("after");
                await("round " + round + ": the subscriber hears the publish made after subscribing")
                        .atMost(Duration.ofSeconds(5)).until(() -> events.size() == 1);
                assertThat(events.get(0).revision()).isEqualTo(11);
                sub.close();
            } finally {
                CompletableFuture<Void> closed = CompletableFuture.runAsync(thoonk::close);
                long start = System.nanoTime();
                closed.get(CLOSE_BOUND.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("round %d: close() returns promptly", round).isLessThan(CLOSE_BOUND);
            }
        }
    }
}
