package io.thoonk.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A team frozen for a move (its fence {@code thoonk.team:[team]} says {@code frozen}, set here by
 * hand as a mover would) is waited for, not an error: writes and reads started while it is frozen
 * apply nothing, wait, and complete once it is unfrozen, within their deadline; one that stays
 * frozen past its deadline fails with a timeout naming the move. Subscriptions of the team keep
 * working and hear every revision once. A single Redis has no directory to hear the move's end
 * from, so these calls find it by trying again after short pauses (10 ms doubling to 200 ms); a
 * routing client is also woken by the directory's change (module {@code it}).
 */
class FrozenTeamTest extends ClientTestSupport {

    static final Duration DEADLINE = Duration.ofSeconds(5);

    @Override
    ThoonkOptions options() {
        return ThoonkOptions.builder().commandTimeout(DEADLINE).build();
    }

    void freeze(String team, long epoch) {
        peer().hset("thoonk.team:" + team, Map.of("state", "frozen", "epoch", Long.toString(epoch)));
    }

    void unfreeze(String team, long epoch) {
        peer().hset("thoonk.team:" + team, Map.of("state", "active", "epoch", Long.toString(epoch)));
    }

    /** Lets {@code call} wait a while and checks that it is still waiting. */
    static void stillWaiting(CompletableFuture<?> call) {
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !call.isDone());
    }

    @Test
    void a_write_to_a_frozen_team_waits_applies_nothing_and_completes_after_the_unfreeze() throws Exception {
        Feed feed = thoonk.feed("team:12:news");
        feed.publish("before");
        freeze("12", 4);

        CompletableFuture<Published> during = feed.async().publish("during").toCompletableFuture();
        CompletableFuture<String> put = thoonk.jobs("team:12:jobs").async().put("job").toCompletableFuture()
                .thenApply(Published::id);
        stillWaiting(during);
        stillWaiting(put);
        assertThat(peer().get("feed.revision:team:12:news")).isEqualTo("1");
        assertThat(peer().exists("feed.config:team:12:jobs")).isZero();

        long unfrozen = System.nanoTime();
        unfreeze("12", 4);

        assertThat(during.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).revision()).isEqualTo(2);
        assertThat(put.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).isNotEmpty();
        // woken by the fallback pause, at most 200 ms (plus scheduling) after the unfreeze
        assertThat(Duration.ofNanos(System.nanoTime() - unfrozen)).isLessThan(Duration.ofSeconds(2));
        assertThat(feed.ids()).hasSize(2);
        assertThat(peer().xlen("feed.history:team:12:news")).isEqualTo(2);
    }

    @Test
    void a_read_of_a_frozen_team_waits_and_answers_after_the_unfreeze() throws Exception {
        Feed feed = thoonk.feed("team:12:news");
        String id = feed.publish("one").id();
        freeze("12", 4);

        CompletableFuture<List<String>> ids = feed.async().ids().toCompletableFuture();
        stillWaiting(ids);
        unfreeze("12", 4);

        assertThat(ids.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(id);
    }

    @Test
    void a_write_frozen_past_its_deadline_fails_with_a_timeout_naming_the_move_and_applies_nothing() {
        Duration short_ = Duration.ofMillis(500);
        try (Thoonk impatient = Thoonk.connect(redis.primaryUri(),
                ThoonkOptions.builder().commandTimeout(short_).build())) {
            Feed feed = impatient.feed("team:12:news");
            feed.publish("before");
            freeze("12", 4);

            long start = System.nanoTime();
            assertThatThrownBy(() -> feed.publish("during"))
                    .isExactlyInstanceOf(ThoonkTimeoutException.class)
                    .hasMessage("'team:12:news' was not written: team '12' is being moved (frozen on shard single, "
                            + "team epoch 4) and the move did not end within " + short_
                            + " (ThoonkOptions.commandTimeout); nothing was applied, so it is safe to try again");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isBetween(short_, short_.plusMillis(700));
            assertThat(peer().get("feed.revision:team:12:news")).isEqualTo("1");

            unfreeze("12", 4);
            assertThat(feed.publish("after").revision()).isEqualTo(2);
        }
    }

    @Test
    void a_moved_team_still_fails_at_once_on_a_single_redis() {
        Feed feed = thoonk.feed("team:12:news");
        feed.publish("before");
        peer().hset("thoonk.team:12", Map.of("state", "moved", "epoch", "5"));

        long start = System.nanoTime();
        assertThatThrownBy(() -> feed.publish("after")).isInstanceOfSatisfying(TeamFencedException.class,
                e -> assertThat(e.state()).isEqualTo("moved"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void subscriptions_of_a_frozen_team_keep_working_and_hear_every_revision_once() throws Exception {
        try (Thoonk other = Thoonk.connect(redis.primaryUri(), options())) {
            subscriptionsHearEveryRevisionOnce(other);
        }
    }

    private void subscriptionsHearEveryRevisionOnce(Thoonk other) throws Exception {
        Feed feed = thoonk.feed("team:12:news");
        EventRecorder before = new EventRecorder();
        thoonk.subscribe("team:12:news", before);
        feed.publish("one");
        feed.publish("two");
        freeze("12", 4);

        // writes waiting for the move, and a subscription made during it (its starting revision is
        // read through the fence, so it waits as well)
        List<CompletableFuture<Published>> waiting = LongStream.range(0, 5)
                .mapToObj(i -> feed.async().publish("during " + i).toCompletableFuture()).toList();
        // (on a client of its own: a second subscription to the same channels on one connection can
        // join between an event and its contract echoes, and hear an echo as a peer's event: a race of
        // SubscriptionHub that has nothing to do with moves)
        EventRecorder during = new EventRecorder();
        CompletableFuture<Subscription> subscribing = CompletableFuture.supplyAsync(
                () -> other.subscribe("team:12:news", during));
        stillWaiting(subscribing);
        EventRecorder replaying = new EventRecorder();
        CompletableFuture<Subscription> replay = CompletableFuture.supplyAsync(
                () -> thoonk.subscribe("team:12:news", 1, replaying)); // its replay of the history waits

        unfreeze("12", 4);
        for (CompletableFuture<Published> w : waiting) {
            w.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
        subscribing.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        replay.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        feed.publish("after");

        List<Long> all = LongStream.rangeClosed(1, 8).boxed().toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> before.events.size() >= 8 && replaying.events.size() >= 8);
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> before.events.size() == 8 && replaying.events.size() == 8);
        assertThat(before.revisions()).isEqualTo(all);
        assertThat(replaying.revisions()).isEqualTo(all);
        // from the revision current when its fenced read was admitted: a gap-free run up to the last
        await().atMost(Duration.ofSeconds(10)).until(() -> during.revisions().contains(8L));
        List<Long> heard = during.revisions();
        assertThat(heard).isEqualTo(LongStream.rangeClosed(heard.get(0), 8).boxed().toList());
        assertThat(before.errors).isEmpty();
        assertThat(during.errors).isEmpty();
        assertThat(replaying.errors).isEmpty();
    }
}
