package io.thoonk.client.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inline executor subscriptions deliver through: at once on the submitting thread when idle,
 * never nested, never two at once, in submission order.
 */
class SerialExecutorTest {

    @Test
    void an_idle_inline_executor_runs_the_task_on_the_submitting_thread_before_returning() {
        SerialExecutor inline = SerialExecutor.inline();
        List<String> ran = new CopyOnWriteArrayList<>();

        inline.execute(() -> ran.add(Thread.currentThread().getName()));

        assertThat(ran).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void a_task_submitted_from_a_task_runs_after_it_not_nested() {
        SerialExecutor inline = SerialExecutor.inline();
        List<String> ran = new CopyOnWriteArrayList<>();

        inline.execute(() -> {
            ran.add("outer start");
            inline.execute(() -> ran.add("inner"));
            ran.add("outer end");
        });

        assertThat(ran).containsExactly("outer start", "outer end", "inner");
    }

    @Test
    void while_another_thread_runs_a_task_a_submission_returns_at_once_and_runs_there_in_order() throws Exception {
        SerialExecutor inline = SerialExecutor.inline();
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> inline.execute(() -> {
            running.countDown();
            await(release);
            ran.add("first on " + Thread.currentThread().getName());
        }));
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

        inline.execute(() -> ran.add("second on " + Thread.currentThread().getName()));
        inline.execute(() -> ran.add("third on " + Thread.currentThread().getName()));

        assertThat(ran).as("queued behind the running task, not run here").isEmpty();
        release.countDown();
        other.get(10, TimeUnit.SECONDS);
        assertThat(ran).hasSize(3);
        String runner = ran.get(0).substring("first on ".length());
        assertThat(runner).isNotEqualTo(Thread.currentThread().getName());
        assertThat(ran).containsExactly("first on " + runner, "second on " + runner, "third on " + runner);
    }

    @Test
    void a_task_that_throws_does_not_stop_the_tasks_submitted_after_it() {
        SerialExecutor inline = SerialExecutor.inline();
        List<String> ran = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> inline.execute(() -> {
            throw new IllegalStateException("listener bug");
        })).isInstanceOf(IllegalStateException.class);
        inline.execute(() -> ran.add("after"));

        assertThat(ran).containsExactly("after");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
