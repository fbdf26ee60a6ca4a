package io.thoonk.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class QueueTest extends ClientTestSupport {

    @Test
    void normal_items_are_fifo_and_high_priority_goes_first() {
        Queue queue = thoonk.queue("team:2:inbox");
        queue.put("1");
        queue.put("2");
        queue.put("3");
        queue.put("urgent", Priority.HIGH);
        assertThat(queue.size()).isEqualTo(4);
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.add(queue.get(Duration.ofSeconds(1)).orElseThrow());
        }
        assertThat(taken).containsExactly("urgent", "1", "2", "3");
        assertThat(queue.get(Duration.ZERO)).isEmpty();
        assertThat(redis.primary().call("HLEN feed.items:team:2:inbox")).isEqualTo("0");
    }

    @Test
    void get_waits_for_an_item_and_times_out_when_none_comes() {
        Queue queue = thoonk.queue("waiting");
        long start = System.nanoTime();
        assertThat(queue.get(Duration.ofMillis(300))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));

        CompletableFuture<Optional<String>> waiting = queue.async().get(Duration.ofSeconds(10)).toCompletableFuture();
        assertThat(waiting).isNotDone();
        queue.put("late");
        assertThat(waiting.join()).contains("late");
    }

    @Test
    void concurrent_consumers_take_every_item_exactly_once() throws Exception {
        Queue queue = thoonk.queue("work");
        ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            Thread t = new Thread(() -> {
                Optional<String> item;
                while ((item = queue.get(Duration.ofMillis(500))).isPresent()) {
                    taken.add(item.get());
                }
            });
            t.start();
            consumers.add(t);
        }
        List<CompletableFuture<Published>> puts = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            puts.add(queue.async().put("item-" + i).toCompletableFuture());
        }
        puts.forEach(CompletableFuture::join);
        for (Thread t : consumers) {
            t.join();
        }
        assertThat(taken).hasSize(2000).doesNotHaveDuplicates();
        assertThat(queue.size()).isZero();
    }
}
