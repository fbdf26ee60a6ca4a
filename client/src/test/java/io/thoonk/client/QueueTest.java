package io.thoonk.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
    void a_get_blocked_when_its_redis_restarts_waits_again_and_takes_the_item_put_after_the_restart() throws Exception {
        Queue queue = thoonk.queue("team:3:work");
        assertThat(queue.get(Duration.ZERO)).isEmpty();
        CompletableFuture<Optional<String>> waiting = queue.async().get(Duration.ofSeconds(30)).toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> redis.primary().call("CLIENT LIST").contains("cmd=blmove"));

        redis.primary().restart();
        assertThat(waiting).isNotDone();
        queue.put("after the restart");
        assertThat(waiting.get(10, TimeUnit.SECONDS)).contains("after the restart");
        assertThat(queue.size()).isZero();
    }

    @Test
    void a_get_whose_redis_is_down_fails_at_its_own_timeout_not_at_the_command_timeout() {
        Queue queue = thoonk.queue("team:3:work");
        assertThat(queue.get(Duration.ZERO)).isEmpty();
        Duration timeout = Duration.ofSeconds(1);
        try {
            // waiting when Redis dies
            long start = System.nanoTime();
            CompletableFuture<Optional<String>> waiting = queue.async().get(timeout).toCompletableFuture();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> redis.primary().call("CLIENT LIST").contains("cmd=blmove"));
            redis.primary().kill();
            assertThatThrownBy(waiting::join).cause().isInstanceOf(ThoonkTimeoutException.class)
                    .hasMessageContaining("team:3:work").hasMessageContaining("PT1S (the call's own timeout)");
            assertEndedAtItsTimeout(start, timeout);

            // Redis already down when it starts
            long again = System.nanoTime();
            assertThatThrownBy(() -> queue.get(timeout)).isInstanceOf(ThoonkTimeoutException.class)
                    .hasMessageContaining("team:3:work").hasMessageContaining("PT1S (the call's own timeout)");
            assertEndedAtItsTimeout(again, timeout);
        } finally {
            redis.primary().restart();
        }
    }

    private void assertEndedAtItsTimeout(long start, Duration timeout) {
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout.minusMillis(100))
                .isLessThan(timeout.plusSeconds(2)).isLessThan(thoonk.options().commandTimeout());
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
