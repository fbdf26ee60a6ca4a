package io.thoonk.it;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.thoonk.client.Durability;
import io.thoonk.client.Feed;
import io.thoonk.client.Published;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static io.thoonk.it.MoveScenario.assertEveryAckOnceOn;
import static io.thoonk.it.MoveScenario.awaitAcks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The directory tells clients when a move freezes a team ({@code TEAM_FROZEN}) and when the freeze
 * ends (the switch to the target, or {@code TEAM_ACTIVE} on the source when the move is rolled
 * back): a routing client's call refused by the frozen fence waits for that change instead of
 * trying again every few milliseconds, and goes on as soon as it comes. Three coordinators, two
 * shards of a primary and a replica, a steady writer; the move is held frozen (in VERIFYING) by
 * stopping the target's replica, whose acknowledgement the move waits for.
 */
class TeamMoveFreezeTest {

    /** The most a waiting call may take after the directory told the freeze's end. */
    static final Duration PROMPT = Duration.ofMillis(50);
    /** How long the test keeps the team frozen with a call waiting (within the move's 1 s wait for the replica). */
    static final Duration HELD = Duration.ofMillis(300);

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().coordinators(3)
            .shards("s1", "s2").replicasPerShard(1));

    MoveScenario scenario;
    ShardReader s1;
    ShardReader s2;
    Watcher watcher;

    @BeforeEach
    void start() {
        scenario = new MoveScenario(local.cluster());
        s1 = new ShardReader(local.cluster().shard("s1").primary());
        s2 = new ShardReader(local.cluster().shard("s2").primary());
        watcher = new Watcher(DirectoryGrpc.newStub(local.cluster().coordinators().channel(
                local.cluster().coordinators().follower())));
    }

    @AfterEach
    void stop() {
        watcher.close();
        s1.close();
        s2.close();
        scenario.close();
    }

    /** One directory change as a Watch subscriber heard it, and when. */
    record Heard(long nanos, DirectoryChange change) {
    }

    /** A Watch subscriber from now on, recording every change with the time it arrived. */
    static final class Watcher implements AutoCloseable {
        final List<Heard> heard = new CopyOnWriteArrayList<>();
        final Context.CancellableContext context = Context.current().withCancellation();

        Watcher(DirectoryGrpc.DirectoryStub stub) {
            context.run(() -> stub.watch(WatchRequest.getDefaultInstance(), new StreamObserver<>() {
                @Override
                public void onNext(WatchResponse value) {
                    if (value.hasChange()) {
                        heard.add(new Heard(System.nanoTime(), value.getChange()));
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                }
            }));
        }

        /**
         * The first change heard of {@code team}'s placement after {@code after} (null: any) that
         * {@code wanted} accepts, waiting for it.
         */
        Heard first(String team, Heard after, Predicate<TeamPlacement> wanted, String what) {
            await(what).atMost(MoveCall.WAIT).pollInterval(Duration.ofMillis(5))
                    .until(() -> find(team, after, wanted) != null);
            return find(team, after, wanted);
        }

        Heard find(String team, Heard after, Predicate<TeamPlacement> wanted) {
            long from = after == null ? 0 : after.change().getRevision() + 1;
            return heard.stream().filter(h -> h.change().getRevision() >= from && h.change().hasTeam()
                    && h.change().getTeam().getTeam().equals(team) && wanted.test(h.change().getTeam()))
                    .findFirst().orElse(null);
        }

        /** Changes heard from {@code fromNanos} to {@code toNanos} that are not {@code team}'s placement. */
        long othersBetween(String team, long fromNanos, long toNanos) {
            return heard.stream().filter(h -> h.nanos() >= fromNanos && h.nanos() <= toNanos)
                    .filter(h -> !(h.change().hasTeam() && h.change().getTeam().getTeam().equals(team))).count();
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }

    /**
     * The probe's feed, written with PRIMARY durability: what is timed is how soon the call goes on,
     * not the replication of the target, whose replica the test has just let run again. The client
     * talks to s2 before (a team of its own there), so its connection is open when the team arrives.
     */
    Feed probeFeed(String name) {
        scenario.place("warm", "s2");
        scenario.thoonk.feed("team:warm:a").publish("opens the client's connection to s2");
        return scenario.feeds(name).get(0).withDurability(Durability.PRIMARY);
    }

    static Predicate<TeamPlacement> on(String shard, long epoch, TeamState state) {
        return p -> p.getShardId().equals(shard) && p.getEpoch() == epoch && p.getState() == state;
    }

    /** Refusals by a team fence on the server so far ({@code INFO errorstats}). */
    static long fencedRefusals(ShardReader shard) {
        return shard.sync().info("errorstats").lines().filter(l -> l.startsWith("errorstat_FENCED:"))
                .mapToLong(l -> Long.parseLong(l.substring(l.indexOf("count=") + 6).split(",")[0])).sum();
    }

    /** A publish started now, with the time its answer came. */
    record Probe(CompletableFuture<Published> call, AtomicLong answeredNanos) {
        static Probe publish(Feed feed, String id) {
            AtomicLong answered = new AtomicLong();
            CompletableFuture<Published> call = feed.async().publish("item " + id, id).toCompletableFuture();
            call.whenComplete((p, e) -> answered.set(System.nanoTime()));
            return new Probe(call, answered);
        }

        /** How long after {@code nanos} it was answered (negative when before). */
        Duration answeredAfter(long nanos) throws Exception {
            call.get(MoveCall.WAIT.toSeconds(), TimeUnit.SECONDS);
            return Duration.ofNanos(answeredNanos.get() - nanos);
        }
    }

    @Test
    void a_write_waiting_on_a_frozen_team_hears_the_freeze_from_the_directory_and_goes_on_at_the_switch()
            throws Exception {
        scenario.place("21", "s1");
        List<Feed> feeds = scenario.feeds("team:21:a");
        Feed other = probeFeed("team:21:b");
        MoveScenario.fill(feeds, 200);
        RedisProcess targetReplica = local.cluster().shard("s2").replicas().get(0);
        try (WriteLoad load = new WriteLoad(feeds, 200)) {
            awaitAcks(load, 50);
            long refusedBefore = fencedRefusals(s1);
            MoveCall move;
            Probe probe;
            Heard frozen;
            long heldFrom;
            long heldTo;
            targetReplica.pause(); // the frozen move waits for its acknowledgement, in VERIFYING
            try {
                move = MoveCall.start(scenario.leader(), "21", "s2");
                move.await(MovePhase.MOVE_VERIFYING);
                frozen = watcher.first("21", null, on("s1", 1, TeamState.TEAM_FROZEN), "TEAM_FROZEN of team 21");
                heldFrom = frozen.nanos();
                probe = Probe.publish(other, "probe"); // another feed: a call of its own (a feed's publishes queue)
                await().during(HELD).atMost(HELD.multipliedBy(3)).until(() -> !probe.call().isDone());
                heldTo = System.nanoTime();
            } finally {
                targetReplica.resume();
            }
            long refused = fencedRefusals(s1) - refusedBefore;
            MoveProgress last = move.finish();
            Heard switched = watcher.first("21", frozen, on("s2", 2, TeamState.TEAM_ACTIVE), "the switch of team 21");
            Duration afterSwitch = probe.answeredAfter(switched.nanos());
            awaitAcks(load, 50);
            load.stop(Duration.ofSeconds(30));

            assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
            assertThat(probe.call().join().revision()).isPositive();
            assertThat(load.failures()).as("failed writes").isEmpty();
            assertEveryAckOnceOn(s2, load, "team:21:a");
            assertThat(s2.historyIds("team:21:b")).as("the probe on s2").containsExactly("probe");
            // two calls wait (the writer's and the probe): each is refused once, and once more for
            // each directory change that woke it meanwhile (plus the writer's refusal from before it
            // heard the freeze); polling every 10-200 ms would be refused ten times or more
            long others = watcher.othersBetween("21", heldFrom, heldTo);
            assertThat(refused).as("fenced refusals on s1 while the team was frozen (%d other directory change(s) "
                    + "meanwhile)", others).isLessThanOrEqualTo(3 + 2 * others);
            assertThat(afterSwitch).as("the probe's answer after the switch reached a Watch subscriber")
                    .isLessThan(PROMPT);
            long worst = load.acks().stream().filter(a -> a.issuedNanos() <= switched.nanos()
                    && a.ackedNanos() >= heldFrom).mapToLong(a -> a.ackedNanos() - a.issuedNanos()).max().orElseThrow();
            System.out.printf("frozen move: write pause %d ms (reported); the writer's longest call %d ms; the probe "
                            + "answered %d ms after the switch was heard; %d fenced refusals during the freeze%n",
                    last.getWritePauseMillis(), TimeUnit.NANOSECONDS.toMillis(worst), afterSwitch.toMillis(), refused);
        }
    }

    @Test
    void a_write_waiting_on_a_frozen_team_goes_on_as_soon_as_the_cancelled_move_unfreezes_it() throws Exception {
        scenario.place("22", "s1");
        List<Feed> feeds = scenario.feeds("team:22:a");
        Feed other = probeFeed("team:22:b");
        MoveScenario.fill(feeds, 200);
        RedisProcess targetReplica = local.cluster().shard("s2").replicas().get(0);
        try (WriteLoad load = new WriteLoad(feeds, 200)) {
            awaitAcks(load, 50);
            MoveCall move;
            Probe probe;
            ListenableFuture<CancelMoveResponse> cancel;
            Heard frozen;
            targetReplica.pause();
            try {
                move = MoveCall.start(scenario.leader(), "22", "s2");
                move.await(MovePhase.MOVE_VERIFYING);
                frozen = watcher.first("22", null, on("s1", 1, TeamState.TEAM_FROZEN), "TEAM_FROZEN of team 22");
                probe = Probe.publish(other, "probe");
                await().during(HELD).atMost(HELD.multipliedBy(3)).until(() -> !probe.call().isDone());
                cancel = move.cancel();
                move.await(p -> p.getOutcome().startsWith("cancel requested"), "the cancel reaching the move");
            } finally {
                targetReplica.resume();
            }
            MoveProgress last = move.finish();
            Heard unfrozen = watcher.first("22", frozen, on("s1", 1, TeamState.TEAM_ACTIVE),
                    "team 22 active again on s1");
            Duration afterUnfreeze = probe.answeredAfter(unfrozen.nanos());
            awaitAcks(load, 50);
            load.stop(Duration.ofSeconds(30));

            assertThat(cancel.get(MoveCall.WAIT.toSeconds(), TimeUnit.SECONDS).getProgress().getPhase())
                    .isEqualTo(MovePhase.MOVE_CANCELLED);
            assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_CANCELLED);
            assertThat(scenario.placement("22")).extracting(TeamPlacement::getShardId, TeamPlacement::getEpoch,
                    TeamPlacement::getState).containsExactly("s1", 1L, TeamState.TEAM_ACTIVE);
            assertThat(load.failures()).as("failed writes").isEmpty();
            assertEveryAckOnceOn(s1, load, "team:22:a");
            assertThat(s1.historyIds("team:22:b")).as("the probe on s1").containsExactly("probe");
            assertThat(afterUnfreeze).as("the probe's answer after the unfreeze reached a Watch subscriber")
                    .isLessThan(PROMPT);
            System.out.printf("cancelled frozen move: write pause %d ms; the probe answered %d ms after the unfreeze "
                    + "was heard%n", last.getWritePauseMillis(), afterUnfreeze.toMillis());
        }
    }
}
