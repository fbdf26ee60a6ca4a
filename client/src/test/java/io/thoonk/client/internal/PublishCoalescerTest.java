package io.thoonk.client.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lane logic on its own, with script calls answered by the test: which writes travel together,
 * in which order, and that a feed's lane goes away once nothing is waiting. (FeedTest covers the
 * same against a real Redis.)
 */
class PublishCoalescerTest {

    /** Script calls made so far, each answered when the test says. */
    private final List<List<PublishCoalescer.Pending>> calls = new ArrayList<>();
    private final List<CompletableFuture<List<Long>>> answers = new ArrayList<>();
    private long revision;

    private CompletableFuture<List<Long>> send(List<PublishCoalescer.Pending> batch) {
        calls.add(batch);
        CompletableFuture<List<Long>> answer = new CompletableFuture<>();
        answers.add(answer);
        return answer;
    }

    /** Answers call {@code index} with the next revisions, one per write. */
    private void answer(int index) {
        int size = calls.get(index).size();
        answers.get(index).complete(LongStream.rangeClosed(revision + 1, revision + size).boxed().toList());
        revision += size;
    }

    private static List<String> ids(List<PublishCoalescer.Pending> batch) {
        return batch.stream().map(p -> p.id() == null ? "solo" : p.id()).toList();
    }

    @Test
    void writes_that_queue_behind_a_call_leave_together_in_order_and_solo_writes_go_alone() {
        PublishCoalescer lanes = new PublishCoalescer(3, Integer.MAX_VALUE);
        CompletableFuture<Long> a = lanes.publish("f", "a", "x", "", this::send);
        CompletableFuture<Long> b = lanes.publish("f", "b", "x", "", this::send);
        CompletableFuture<Long> c = lanes.publish("f", "c", "x", "", this::send);
        CompletableFuture<Long> edit = lanes.write("f", () -> send(List.of()).thenApply(r -> 99L));
        CompletableFuture<Long> d = lanes.publish("f", "d", "x", "", this::send);
        CompletableFuture<Long> e = lanes.publish("f", "e", "x", "", this::send);
        CompletableFuture<Long> f = lanes.publish("f", "f", "x", "", this::send);
        CompletableFuture<Long> g = lanes.publish("f", "g", "x", "", this::send);
        assertThat(calls).hasSize(1);

        answer(0);
        assertThat(a).isCompletedWithValue(1L);
        assertThat(ids(calls.get(1))).containsExactly("b", "c");
        answer(1);
        assertThat(List.of(b.join(), c.join())).containsExactly(2L, 3L);
        assertThat(calls).hasSize(3); // the edit, alone
        answers.get(2).complete(List.of());
        assertThat(edit).isCompletedWithValue(99L);
        assertThat(ids(calls.get(3))).containsExactly("d", "e", "f"); // maxBatch 3
        answer(3);
        assertThat(ids(calls.get(4))).containsExactly("g");
        answer(4);
        assertThat(List.of(d.join(), e.join(), f.join(), g.join())).containsExactly(4L, 5L, 6L, 7L);
        assertThat(lanes.activeLanes()).isZero();
    }

    @Test
    void a_failed_call_fails_its_writes_and_frees_the_lane_for_the_next() {
        PublishCoalescer lanes = new PublishCoalescer(64, Integer.MAX_VALUE);
        CompletableFuture<Long> a = lanes.publish("f", "a", "x", "", this::send);
        CompletableFuture<Long> b = lanes.publish("f", "b", "x", "", this::send);
        CompletableFuture<Long> c = lanes.publish("f", "c", "x", "", this::send);
        answers.get(0).completeExceptionally(new IllegalStateException("refused"));
        assertThat(a).isCompletedExceptionally();
        assertThat(ids(calls.get(1))).containsExactly("b", "c");
        answer(1);
        assertThat(List.of(b.join(), c.join())).containsExactly(1L, 2L);

        CompletableFuture<Long> thrown = lanes.publish("f", "d", "x", "", batch -> {
            throw new IllegalStateException("no route");
        });
        assertThat(thrown).isCompletedExceptionally();
        assertThat(lanes.activeLanes()).isZero();
    }

    @Test
    void feeds_have_lanes_of_their_own_and_batch_one_sends_at_once() {
        PublishCoalescer lanes = new PublishCoalescer(64, Integer.MAX_VALUE);
        lanes.publish("f", "a", "x", "", this::send);
        lanes.publish("g", "b", "x", "", this::send);
        assertThat(calls).hasSize(2);
        assertThat(lanes.activeLanes()).isEqualTo(2);

        PublishCoalescer unbatched = new PublishCoalescer(1, Integer.MAX_VALUE);
        unbatched.publish("h", "c", "x", "", this::send);
        unbatched.publish("h", "d", "x", "", this::send);
        assertThat(calls).hasSize(4);
        assertThat(unbatched.activeLanes()).isZero();
    }

    @Test
    void a_waiting_write_whose_caller_gave_up_is_never_sent() {
        PublishCoalescer lanes = new PublishCoalescer(64, Integer.MAX_VALUE);
        lanes.publish("f", "a", "x", "", this::send);
        CompletableFuture<Long> expired = lanes.publish("f", "b", "x", "", this::send);
        CompletableFuture<Long> expiredEdit = lanes.write("f", () -> send(List.of()).thenApply(r -> 99L));
        CompletableFuture<Long> c = lanes.publish("f", "c", "x", "", this::send);
        expired.completeExceptionally(new IllegalStateException("deadline passed"));
        expiredEdit.completeExceptionally(new IllegalStateException("deadline passed"));

        answer(0);
        assertThat(ids(calls.get(1))).containsExactly("c");
        answer(1);
        assertThat(c).isCompletedWithValue(2L);
        assertThat(calls).hasSize(2);
        assertThat(lanes.activeLanes()).isZero();
    }

    @Test
    void a_lane_holds_at_most_max_waiting_writes_and_refuses_more_at_once() {
        PublishCoalescer lanes = new PublishCoalescer(64, 2);
        lanes.publish("f", "a", "x", "", this::send);
        CompletableFuture<Long> b = lanes.publish("f", "b", "x", "", this::send);
        CompletableFuture<Long> c = lanes.publish("f", "c", "x", "", this::send);
        CompletableFuture<Long> refused = lanes.publish("f", "d", "x", "", this::send);

        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::join).hasCauseInstanceOf(io.thoonk.client.ThoonkConnectionException.class)
                .hasMessageContaining("2 writes to 'f' are already waiting");
        answer(0);
        assertThat(ids(calls.get(1))).containsExactly("b", "c");
        answer(1);
        assertThat(List.of(b.join(), c.join())).containsExactly(2L, 3L);
    }
}
