package io.thoonk.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadlineTest {

    @Test
    void a_condition_that_never_holds_fails_naming_what_did_not_happen() {
        assertThatThrownBy(() -> Deadline.await(Duration.ofMillis(50), "the moon did not rise", () -> false))
                .isInstanceOf(FixtureTimeoutException.class)
                .hasMessage("the moon did not rise within 50 ms")
                .extracting(e -> ((FixtureTimeoutException) e).timeout()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void a_condition_that_comes_true_returns() {
        AtomicInteger polls = new AtomicInteger();
        Deadline.await(Duration.ofSeconds(5), "three polls", () -> polls.incrementAndGet() == 3);
        assertThat(polls).hasValue(3);
    }

    @Test
    void an_interrupted_wait_fails_and_keeps_the_interrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Deadline.await(Duration.ofSeconds(5), "never", () -> false))
                    .isInstanceOf(FixtureException.class).hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void work_that_does_not_finish_in_time_is_a_timeout() {
        CountDownLatch never = new CountDownLatch(1);
        assertThatThrownBy(() -> Deadline.runWithin(Duration.ofMillis(100), "waiting", never::await))
                .isInstanceOf(FixtureTimeoutException.class).hasMessage("waiting did not finish within 100 ms");
    }
}
