package io.thoonk.it;

import io.thoonk.client.Thoonk;
import io.thoonk.contract.Keys;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.IndexShardProgress;
import io.thoonk.proto.v1.IndexShardRequest;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A shard holding objects of both kinds: some written through the routing client (indexed by the
 * object scripts as they create them), some by an original Thoonk peer with raw contract commands
 * (not indexed). The admin call indexes exactly the peer's, into the teams the client's default
 * team rule gives, so a team's index ends up naming every object of the team.
 */
class IndexShardEndToEndTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s1"));

    LocalCluster cluster;
    RedisProcess primary;
    Thoonk thoonk;

    @BeforeEach
    void start() {
        cluster = local.cluster();
        primary = cluster.shard("s1").primary();
        thoonk = Thoonk.connectCluster(cluster.coordinator().address());
    }

    @AfterEach
    void stop() {
        thoonk.close();
    }

    List<IndexShardProgress> indexShard() {
        List<IndexShardProgress> progress = new ArrayList<>();
        AdminGrpc.newBlockingStub(cluster.coordinators().channel(cluster.coordinator()))
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .indexShard(IndexShardRequest.newBuilder().setShardId("s1").build())
                .forEachRemaining(progress::add);
        return progress;
    }

    Set<String> index(String team) {
        String members = primary.call("SMEMBERS " + Keys.teamObjects(team));
        return members == null || members.isEmpty() ? Set.of() : Set.of(members.split("\n"));
    }

    static List<String> names(String format, int count) {
        return Stream.iterate(0, i -> i + 1).limit(count).map(i -> String.format(format, i)).toList();
    }

    @Test
    void indexes_what_a_peer_wrote_next_to_what_the_client_indexed_itself() {
        thoonk.feed("team:5:news").publish("from the client");
        thoonk.feed("team.6.news").publish("from the client");
        thoonk.feed("announcements").publish("from the client"); // no team: the global team
        assertThat(index("5")).containsExactly("team:5:news");
        List<String> peerNames = new ArrayList<>(names("team:5:old-%d", 700));
        peerNames.addAll(names("team.6.old-%d", 20));
        peerNames.addAll(names("legacy-%d", 10));
        for (String name : peerNames) {
            primary.call("SADD feeds " + name);
            primary.call("HSET feed.config:" + name + " type feed");
        }

        List<IndexShardProgress> progress = indexShard();

        IndexShardProgress last = progress.get(progress.size() - 1);
        assertThat(last.getDone()).isTrue();
        assertThat(last.getIndexed()).as("only the peer's objects were missing").isEqualTo(peerNames.size());
        assertThat(last.getSkipped()).isZero();
        assertThat(last.getPruned()).isZero();
        assertThat(index("5")).hasSize(701).contains("team:5:news", "team:5:old-0", "team:5:old-699");
        assertThat(index("6")).hasSize(21).contains("team.6.news", "team.6.old-19");
        assertThat(index("global")).isEqualTo(Stream.concat(Stream.of("announcements"),
                names("legacy-%d", 10).stream()).collect(Collectors.toSet()));

        // the peer deletes one of its objects as the contract says; the next run drops its entry
        primary.call("SREM feeds team:5:old-0");
        primary.call("DEL feed.config:team:5:old-0");
        List<IndexShardProgress> second = indexShard();

        assertThat(second.get(second.size() - 1).getIndexed()).isZero();
        assertThat(second.get(second.size() - 1).getPruned()).isEqualTo(1);
        assertThat(index("5")).hasSize(700).doesNotContain("team:5:old-0");
    }
}
