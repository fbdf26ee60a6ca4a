package io.thoonk.it;

import io.thoonk.client.Feed;
import io.thoonk.client.Item;
import io.thoonk.client.Job;
import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Queue;
import io.thoonk.client.SortedFeed;
import io.thoonk.client.Subscription;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.IndexShardRequest;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.thoonk.it.MoveScenario.assertEveryAckOnceOn;
import static io.thoonk.it.MoveScenario.awaitAcks;
import static io.thoonk.it.MoveScenario.longestAckGap;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Team moves end to end: three coordinators, two shards of a primary and a replica, the routing
 * client writing and subscribing all along. The moves are started, watched and cancelled through
 * the Admin API; the data is checked with direct reads of both shards' primaries.
 *
 * <p>To act on a move while it is in a given phase, the tests hold it there with what a real
 * cluster can do to it: {@code CLIENT PAUSE WRITE} on the target's primary stops the copy (its
 * writes there wait), and the target's replica stopped (SIGSTOP) keeps the frozen move in its
 * {@code WAIT} for the replica, in VERIFYING.
 */
class TeamMoveTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().coordinators(3)
            .shards("s1", "s2").replicasPerShard(1));

    MoveScenario scenario;
    ShardReader s1;
    ShardReader s2;

    @BeforeEach
    void start() {
        scenario = new MoveScenario(local.cluster());
        s1 = new ShardReader(local.cluster().shard("s1").primary());
        s2 = new ShardReader(local.cluster().shard("s2").primary());
    }

    @AfterEach
    void stop() {
        s1.close();
        s2.close();
        scenario.close();
    }

    @Test
    void writers_and_subscribers_keep_going_while_a_team_moves_and_its_neighbour_stays() throws Exception {
        scenario.place("1", "s1");
        scenario.place("2", "s1");
        List<Feed> moving = scenario.feeds("team:1:a", "team:1:b");
        List<Feed> staying = scenario.feeds("team:2:a");
        MoveScenario.fill(moving, 2_000);
        RevisionRecorder perObject = new RevisionRecorder();
        RevisionRecorder pattern = new RevisionRecorder();
        List<Subscription> subscriptions = new ArrayList<>();
        for (Feed feed : moving) {
            subscriptions.add(feed.subscribe(1, perObject));
        }
        subscriptions.add(scenario.thoonk.subscribePattern("team:1:*", pattern));
        List<Feed> all = new ArrayList<>(moving);
        all.addAll(staying);

        MoveProgress done;
        long moveStarted;
        long moveEnded;
        try (WriteLoad load = new WriteLoad(all, 200)) {
            awaitAcks(load, 150);
            moveStarted = System.nanoTime();
            done = MoveCall.start(scenario.leader(), "1", "s2").finish();
            moveEnded = System.nanoTime();
            awaitAcks(load, 150);
            load.stop(Duration.ofSeconds(30));

            assertThat(done.getPhase()).as(done.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
            assertThat(load.failures()).as("failed writes (either team)").isEmpty();
            for (Feed feed : moving) {
                assertEveryAckOnceOn(s2, load, feed.name());
            }
            assertEveryAckOnceOn(s1, load, "team:2:a");
            assertThat(s1.teamKeys("1")).as("team 1 keys left on s1").isEmpty();
            assertThat(s1.fence("1")).containsEntry("state", "moved").containsEntry("epoch", "2");
            assertThat(s2.fence("1")).containsEntry("state", "active").containsEntry("epoch", "2");
            assertThat(s2.teamKeys("2")).as("team 2 keys on s2").isEmpty();

            for (Feed feed : moving) {
                long last = s2.historyIds(feed.name()).size();
                await().atMost(MoveCall.WAIT).until(() -> perObject.last(feed.name()) >= last
                        && pattern.last(feed.name()) >= last);
                assertThat(perObject.gapsAndDuplicates(feed.name(), 1)).as("revisions heard of %s", feed.name())
                        .isEmpty();
                assertThat(perObject.ids(feed.name())).containsExactlyElementsOf(s2.historyIds(feed.name()));
                // the pattern subscription started from now: gap-free from its first revision on
                List<Long> heard = pattern.revisions(feed.name());
                assertThat(pattern.gapsAndDuplicates(feed.name(), heard.get(0))).as("pattern heard of %s",
                        feed.name()).isEmpty();
            }
            subscriptions.forEach(Subscription::close);

            Duration pause = moving.stream().map(f -> longestAckGap(load, f.name(), moveStarted))
                    .max(Duration::compareTo).orElseThrow();
            System.out.printf("moved team 1 (2 feeds, %d items, %d bytes) under load in %d ms (call to end %d ms); "
                            + "write pause %d ms; longest gap between a writer's acks %d ms; team 2 writers: %s%n",
                    s2.historyIds("team:1:a").size() + s2.historyIds("team:1:b").size(), done.getBytesCopied(),
                    done.getElapsedMillis(), TimeUnit.NANOSECONDS.toMillis(moveEnded - moveStarted),
                    done.getWritePauseMillis(), pause.toMillis(),
                    longestAckGap(load, "team:2:a", moveStarted).toMillis() + " ms longest gap");
            assertThat(done.getWritePauseMillis()).isPositive().isLessThan(2_000);
            assertThat(pause).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void a_team_of_every_object_type_moves_under_load_and_a_claimed_job_can_still_be_finished() throws Exception {
        scenario.place("3", "s1");
        List<Feed> feeds = scenario.feeds("team:3:feed");
        MoveScenario.fill(feeds, 500);
        SortedFeed list = scenario.thoonk.sortedFeed("team:3:list");
        for (int i = 0; i < 100; i++) {
            list.append("entry " + i);
        }
        list.retract(list.ids().get(5));
        List<Item> listBefore = list.all();
        Queue queue = scenario.thoonk.queue("team:3:queue");
        for (int i = 0; i < 50; i++) {
            queue.put("task " + i);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(queue.get(Duration.ofSeconds(1))).contains("task " + i);
        }
        Jobs jobs = scenario.thoonk.jobs("team:3:jobs");
        for (int i = 0; i < 20; i++) {
            jobs.put("job " + i);
        }
        Job claimed = jobs.get(Duration.ofSeconds(1)).orElseThrow();

        MoveProgress done;
        try (WriteLoad load = new WriteLoad(feeds, 200)) {
            awaitAcks(load, 100);
            done = MoveCall.start(scenario.leader(), "3", "s2").finish();
            awaitAcks(load, 100);
            load.stop(Duration.ofSeconds(30));
            assertThat(done.getPhase()).as(done.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
            assertThat(load.failures()).isEmpty();
            assertEveryAckOnceOn(s2, load, "team:3:feed");
        }

        assertThat(done.getObjectsTotal()).isEqualTo(4);
        assertThat(s1.teamKeys("3")).isEmpty();
        assertThat(list.all()).isEqualTo(listBefore);
        assertThat(list.append("after the move").revision()).isPositive();
        assertThat(queue.size()).isEqualTo(40);
        assertThat(queue.get(Duration.ofSeconds(1))).contains("task 10");
        assertThat(jobs.state(claimed.id())).isEqualTo(JobState.CLAIMED);
        jobs.finish(claimed.id(), "finished after the move");
        assertThat(jobs.result(claimed.id())).contains("finished after the move");
        Job next = jobs.get(Duration.ofSeconds(1)).orElseThrow();
        assertThat(next.payload()).isEqualTo("job 1");
        jobs.finish(next.id());
        assertThat(s2.sync().zcard("feed.claimed:team:3:jobs")).isZero();
        System.out.printf("moved team 3 (feed, sorted feed, queue, jobs) under load in %d ms; write pause %d ms%n",
                done.getElapsedMillis(), done.getWritePauseMillis());
    }

    @Test
    void objects_an_original_thoonk_peer_wrote_read_the_same_after_the_move() throws Exception {
        scenario.place("5", "s1");
        var peer = s1.sync();
        for (int i = 0; i < 30; i++) {
            peer.sadd("feeds", "team.5.news");
            peer.hset("feed.config:team.5.news", "type", "feed");
            peer.zadd("feed.ids:team.5.news", 1_700_000_000_000d + i, "p" + i);
            peer.hset("feed.items:team.5.news", "p" + i, "peer item " + i);
            peer.incr("feed.publishes:team.5.news");
        }
        peer.sadd("feeds", "team.5.tasks");
        peer.hset("feed.config:team.5.tasks", "type", "queue");
        for (String q : List.of("q1", "q2")) {
            peer.lpush("feed.ids:team.5.tasks", q);
            peer.hset("feed.items:team.5.tasks", q, "do " + q);
        }
        peer.sadd("feeds", "team.5.render");
        peer.hset("feed.config:team.5.render", "type", "job");
        peer.lpush("feed.ids:team.5.render", "j1");
        peer.hset("feed.items:team.5.render", "j1", "frame 1");
        peer.zadd("feed.published:team.5.render", 1_700_000_000_000d, "j1");
        Map<String, String> itemsBefore = peer.hgetall("feed.items:team.5.news");
        List<String> idsBefore = peer.zrange("feed.ids:team.5.news", 0, -1);

        AdminGrpc.newBlockingStub(scenario.leader()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .indexShard(IndexShardRequest.newBuilder().setShardId("s1").build()).forEachRemaining(p -> { });
        MoveProgress done = MoveCall.start(scenario.leader(), "5", "s2").finish();

        assertThat(done.getPhase()).as(done.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);
        assertThat(done.getObjectsTotal()).isEqualTo(3);
        var target = s2.sync();
        assertThat(target.hgetall("feed.items:team.5.news")).isEqualTo(itemsBefore);
        assertThat(target.zrange("feed.ids:team.5.news", 0, -1)).isEqualTo(idsBefore);
        assertThat(target.get("feed.publishes:team.5.news")).isEqualTo("30");
        assertThat(target.smembers("feeds")).contains("team.5.news", "team.5.tasks", "team.5.render");
        assertThat(s1.teamKeys("5")).isEmpty();
        assertThat(s1.sync().smembers("feeds")).doesNotContain("team.5.news", "team.5.tasks", "team.5.render");

        Feed news = scenario.thoonk.feed("team.5.news");
        assertThat(news.ids()).isEqualTo(idsBefore);
        assertThat(news.get("p7")).map(Item::value).contains("peer item 7");
        assertThat(scenario.thoonk.queue("team.5.tasks").get(Duration.ofSeconds(1))).contains("do q1");
        Jobs render = scenario.thoonk.jobs("team.5.render");
        assertThat(render.get(Duration.ofSeconds(1))).map(Job::payload).contains("frame 1");
        render.finish("j1", "rendered");
        assertThat(target.get("feed.finishes:team.5.render")).isEqualTo("1");
    }

    @Test
    void a_move_cancelled_while_copying_leaves_the_team_writable_on_its_source() throws Exception {
        cancelled(Lever.PAUSED_TARGET_WRITES, MovePhase.MOVE_COPYING);
    }

    @Test
    void a_move_cancelled_while_the_team_is_frozen_makes_it_writable_on_its_source_within_a_second()
            throws Exception {
        cancelled(Lever.STOPPED_TARGET_REPLICA, MovePhase.MOVE_VERIFYING);
    }

    /** How a test holds a move in a phase. */
    enum Lever {
        /** {@code CLIENT PAUSE WRITE} on the target's primary once the copy starts: the copy waits. */
        PAUSED_TARGET_WRITES,
        /** The target's replica stopped: the frozen move waits in VERIFYING for the replica's acknowledgement. */
        STOPPED_TARGET_REPLICA
    }

    /** Holds a move of team 4 in {@code phase} with {@code lever} until {@link #release} is called. */
    final class Hold {
        final Lever lever;
        final RedisProcess targetPrimary = local.cluster().shard("s2").primary();
        final RedisProcess targetReplica = local.cluster().shard("s2").replicas().get(0);
        boolean released;

        Hold(Lever lever) {
            this.lever = lever;
            if (lever == Lever.STOPPED_TARGET_REPLICA) {
                targetReplica.pause();
            }
        }

        /** Called once the move is in the phase the lever holds it in (the pause taken from then on). */
        void engage() {
            if (lever == Lever.PAUSED_TARGET_WRITES) {
                targetPrimary.call("CLIENT PAUSE 20000 WRITE");
            }
        }

        void release() {
            if (released) {
                return;
            }
            released = true;
            if (lever == Lever.PAUSED_TARGET_WRITES) {
                targetPrimary.call("CLIENT UNPAUSE");
            } else {
                targetReplica.resume();
            }
        }
    }

    void cancelled(Lever lever, MovePhase phase) throws Exception {
        scenario.place("4", "s1");
        List<Feed> feeds = scenario.feeds("team:4:a", "team:4:b");
        MoveScenario.fill(feeds, 2_000);
        Feed probe = scenario.thoonk.feed("team:4:probe");
        probe.publish("before the move");
        try (WriteLoad load = new WriteLoad(feeds, 200)) {
            awaitAcks(load, 100);
            Hold hold = new Hold(lever);
            try {
                MoveCall move = MoveCall.start(scenario.leader(), "4", "s2");
                move.await(lever == Lever.PAUSED_TARGET_WRITES ? MovePhase.MOVE_COPYING : phase);
                hold.engage();

                long cancelCalled = System.nanoTime();
                var cancel = move.cancel();
                move.await(p -> p.getOutcome().startsWith("cancel requested"), "the cancel reaching the move");
                hold.release();
                probe.publish("issued after the cancel");
                long probeAcked = System.nanoTime();
                CancelMoveResponse answer = cancel.get(MoveCall.WAIT.toSeconds(), TimeUnit.SECONDS);
                MoveProgress last = move.finish();
                Duration writable = Duration.ofNanos(probeAcked - cancelCalled);
                awaitAcks(load, 100); // the writers' calls issued after the cancel have been answered
                Duration writersResumed = load.resumedAfter(cancelCalled);
                load.stop(Duration.ofSeconds(30));

                assertThat(answer.getProgress().getPhase()).as(answer.getProgress().getOutcome())
                        .isEqualTo(MovePhase.MOVE_CANCELLED);
                assertThat(last.getPhase()).isEqualTo(MovePhase.MOVE_CANCELLED);
                assertThat(last.getOutcome()).contains("in phase " + phase);
                assertThat(load.failures()).isEmpty();
                for (Feed feed : feeds) {
                    assertEveryAckOnceOn(s1, load, feed.name());
                }
                assertThat(scenario.placement("4").getShardId()).isEqualTo("s1");
                assertThat(scenario.placement("4").getEpoch()).isEqualTo(1);
                assertThat(s1.fence("4")).containsEntry("state", "active").containsEntry("epoch", "1");
                assertThat(s2.fence("4")).doesNotContainEntry("state", "active");
                assertThat(s2.teamKeys("4")).as("team 4 keys left on s2").isEmpty();
                System.out.printf("cancelled in %s: a write issued after CancelMove acknowledged %d ms after the call"
                                + " (writers' first such ack %d ms); write pause %d ms%n", phase, writable.toMillis(),
                        writersResumed.toMillis(), last.getWritePauseMillis());
                assertThat(writable).isLessThan(Duration.ofSeconds(1));
            } finally {
                hold.release();
            }
        }
    }

    @Test
    void a_leader_stopped_while_copying_is_replaced_by_one_that_leaves_the_team_with_one_writable_owner()
            throws Exception {
        leaderStopped(Lever.PAUSED_TARGET_WRITES, MovePhase.MOVE_COPYING);
    }

    @Test
    void a_leader_stopped_while_the_team_is_frozen_is_replaced_by_one_that_leaves_the_team_with_one_writable_owner()
            throws Exception {
        leaderStopped(Lever.STOPPED_TARGET_REPLICA, MovePhase.MOVE_VERIFYING);
    }

    void leaderStopped(Lever lever, MovePhase phase) throws Exception {
        scenario.place("6", "s1");
        List<Feed> feeds = scenario.feeds("team:6:a", "team:6:b");
        MoveScenario.fill(feeds, 2_000);
        MoveProgress last;
        long stopped;
        try (WriteLoad load = new WriteLoad(feeds, 200)) {
            awaitAcks(load, 100);
            Hold hold = new Hold(lever);
            try {
                var leader = local.cluster().coordinators().leader();
                MoveCall move = MoveCall.start(local.cluster().coordinators().channel(leader), "6", "s2");
                move.await(phase);
                hold.engage();
                stopped = System.nanoTime();
                local.cluster().coordinators().stop(leader);
                hold.release();
                move.awaitEnd();
            } finally {
                hold.release();
            }
            last = scenario.awaitHistory(1);
            awaitAcks(load, 100);
            Duration resumed = load.resumedAfter(stopped);
            Duration gap = feeds.stream().map(f -> longestAckGap(load, f.name(), stopped)).max(Duration::compareTo)
                    .orElseThrow();
            load.stop(Duration.ofSeconds(30));

            assertThat(last.getPhase()).as(last.getOutcome()).isIn(MovePhase.MOVE_ROLLED_BACK, MovePhase.MOVE_DONE);
            String owner = last.getPhase() == MovePhase.MOVE_DONE ? "s2" : "s1";
            ShardReader ownerShard = owner.equals("s1") ? s1 : s2;
            ShardReader other = owner.equals("s1") ? s2 : s1;
            assertThat(scenario.placement("6").getShardId()).isEqualTo(owner);
            assertThat(ownerShard.fence("6")).containsEntry("state", "active");
            assertThat(other.fence("6")).doesNotContainEntry("state", "active");
            assertThat(load.failures()).as("failed writes").isEmpty();
            for (Feed feed : feeds) {
                assertEveryAckOnceOn(ownerShard, load, feed.name());
            }
            assertThat(other.teamKeys("6")).isEmpty();
            System.out.printf("leader stopped in %s: the next leader ended the move %s (%s); writes acknowledged "
                    + "again %d ms after the stop; longest gap between a writer's acks %d ms%n", phase, last.getPhase(),
                    last.getOutcome(), resumed.toMillis(), gap.toMillis());
        }
    }
}
