package io.thoonk.it;

import io.grpc.ManagedChannel;
import io.thoonk.client.Feed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.testing.cluster.LocalCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the team-move tests share: a routing client on a local cluster, teams placed by hand, feeds
 * filled and written to under load, and the checks of where a team's items are after a move.
 */
final class MoveScenario implements AutoCloseable {

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    final LocalCluster cluster;
    final Thoonk thoonk;

    MoveScenario(LocalCluster cluster) {
        this.cluster = cluster;
        this.thoonk = Thoonk.connectCluster(cluster.coordinators().addresses(),
                ThoonkOptions.builder().commandTimeout(COMMAND_TIMEOUT).build());
    }

    /** A channel to the coordinator that leads now. */
    ManagedChannel leader() {
        return cluster.coordinators().channel(cluster.coordinators().leader());
    }

    AdminGrpc.AdminBlockingStub admin() {
        return AdminGrpc.newBlockingStub(leader()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    void place(String team, String shard) {
        admin().placeTeam(PlaceTeamRequest.newBuilder().setTeam(team).setShardId(shard).build());
    }

    TeamPlacement placement(String team) {
        return admin().getTeam(GetTeamRequest.newBuilder().setTeam(team).build()).getPlacement();
    }

    /** The newest finished move, once the history has {@code count} moves (a later leader may record it). */
    MoveProgress awaitHistory(int count) {
        await().atMost(MoveCall.WAIT).ignoreExceptions().until(() -> admin()
                .listMoves(ListMovesRequest.getDefaultInstance()).getHistoryCount() >= count);
        return admin().listMoves(ListMovesRequest.getDefaultInstance()).getHistory(0);
    }

    /** Feeds that keep their whole history (every change stays checkable). */
    List<Feed> feeds(String... names) {
        List<Feed> feeds = new ArrayList<>();
        for (String name : names) {
            thoonk.registry().create(name, ObjectType.FEED, Map.of("history_length", "1000000"));
            feeds.add(thoonk.feed(name));
        }
        return feeds;
    }

    /** Publishes {@code count} items {@code pre-<n>} to each feed, many in flight at a time. */
    static void fill(List<Feed> feeds, int count) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (Feed feed : feeds) {
            IntStream.range(0, count).forEach(n -> calls.add(feed.async().publish("item " + n + " of "
                    + feed.name() + " " + "x".repeat(50), "pre-" + n).toCompletableFuture()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** Waits until {@code load} has acknowledged {@code count} more calls issued from now on. */
    static void awaitAcks(WriteLoad load, int count) {
        load.awaitAcksIssuedAfter(System.nanoTime(), count, MoveCall.WAIT);
    }

    /**
     * Every acknowledged publish of {@code feed} is on {@code shard}'s primary exactly once, at the
     * revision it was acknowledged with, and the feed holds nothing else than its history names.
     */
    static void assertEveryAckOnceOn(ShardReader shard, WriteLoad load, String feed) {
        List<String> history = shard.historyIds(feed);
        assertThat(history).as("history ids of %s", feed).doesNotHaveDuplicates();
        List<WriteLoad.Ack> acks = load.acks().stream().filter(a -> a.feed().equals(feed)).toList();
        assertThat(acks).as("acknowledged publishes to %s", feed).isNotEmpty();
        for (WriteLoad.Ack ack : acks) {
            assertThat(history.size()).as("history of %s reaches revision %d", feed, ack.revision())
                    .isGreaterThanOrEqualTo((int) ack.revision());
            assertThat(history.get((int) ack.revision() - 1)).as("%s at revision %d", feed, ack.revision())
                    .isEqualTo(ack.id());
        }
        assertThat(shard.sync().hlen("feed.items:" + feed)).as("items of %s", feed).isEqualTo(history.size());
    }

    /** The longest time {@code feed}'s writer went without an acknowledgement, from {@code fromNanos} on. */
    static Duration longestAckGap(WriteLoad load, String feed, long fromNanos) {
        List<Long> acked = load.acks().stream().filter(a -> a.feed().equals(feed))
                .map(WriteLoad.Ack::ackedNanos).filter(t -> t >= fromNanos).sorted(Comparator.naturalOrder()).toList();
        long longest = 0;
        for (int i = 1; i < acked.size(); i++) {
            longest = Math.max(longest, acked.get(i) - acked.get(i - 1));
        }
        return Duration.ofNanos(longest);
    }

    /** The ids a feed holds, through the client. */
    static Set<String> ids(Feed feed) {
        return new HashSet<>(feed.ids());
    }

    @Override
    public void close() {
        thoonk.close();
    }
}
