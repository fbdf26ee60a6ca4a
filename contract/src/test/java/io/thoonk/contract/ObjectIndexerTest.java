package io.thoonk.contract;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one-off indexer against a real Redis holding objects written the way original Thoonk peers
 * write them (raw contract commands, no index), as data that predates the index looks.
 */
class ObjectIndexerTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    static final Function<String, String> TEAMS = name -> StandardTeams.teamOf(name, "global");

    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> peer;

    @BeforeEach
    void connect() {
        redis.flushAll();
        client = RedisClient.create(redis.primaryUri());
        connection = client.connect();
        peer = connection.sync();
    }

    @AfterEach
    void close() {
        client.shutdown();
    }

    /** A peer creates a feed: {@code SADD feeds}, the config, {@code newfeed}; then publishes once. */
    void peerFeed(String name) {
        peer.sadd(Keys.FEEDS, name);
        peer.hset(Keys.config(name), "type", "feed");
        peer.publish(Keys.NEWFEED, name + "\0peer");
        peer.zadd(Keys.ids(name), 1, "id1");
        peer.hset(Keys.items(name), "id1", "item");
    }

    @Test
    void indexes_every_object_a_peer_wrote_by_team_page_by_page() {
        Set<String> team7 = new HashSet<>();
        Set<String> global = new HashSet<>();
        for (int i = 0; i < 250; i++) {
            String name = "team:7:feed-" + i;
            peerFeed(name);
            team7.add(name);
        }
        for (int i = 0; i < 30; i++) {
            String name = "team.8.feed-" + i;
            peerFeed(name);
        }
        for (int i = 0; i < 20; i++) {
            String name = "users-" + i;
            peerFeed(name);
            global.add(name);
        }
        // a peer may use any name; this one's team is no valid team id
        peerFeed("team:a b:feed");
        List<ObjectIndexer.Progress> reports = new ArrayList<>();

        ObjectIndexer.Progress result = new ObjectIndexer(TEAMS, 50).indexShard(connection, reports::add);

        assertThat(peer.smembers(Keys.teamObjects("7"))).isEqualTo(team7);
        assertThat(peer.scard(Keys.teamObjects("8"))).isEqualTo(30);
        assertThat(peer.smembers(Keys.teamObjects("global"))).isEqualTo(global);
        assertThat(peer.keys(Keys.TEAM_OBJECTS_PREFIX + "*")).hasSize(3);
        assertThat(result.indexed()).isEqualTo(300);
        assertThat(result.skipped()).isEqualTo(1);
        assertThat(result.scanned()).isGreaterThanOrEqualTo(301);
        assertThat(result.pruned()).isZero();
        assertThat(result.done()).isTrue();
        // reported page by page, counts only growing, the last report the result
        assertThat(reports.size()).isGreaterThan(3);
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i).scanned()).isGreaterThanOrEqualTo(reports.get(i - 1).scanned());
            assertThat(reports.get(i).indexed()).isGreaterThanOrEqualTo(reports.get(i - 1).indexed());
        }
        assertThat(reports.subList(0, reports.size() - 1)).noneMatch(ObjectIndexer.Progress::done);
        assertThat(reports.get(reports.size() - 1)).isEqualTo(result);
    }

    @Test
    void running_it_again_changes_nothing() {
        for (int i = 0; i < 10; i++) {
            peerFeed("team:3:f" + i);
        }
        ObjectIndexer indexer = new ObjectIndexer(TEAMS, 4);
        assertThat(indexer.indexShard(connection, p -> { }).indexed()).isEqualTo(10);

        ObjectIndexer.Progress again = indexer.indexShard(connection, p -> { });

        assertThat(again.indexed()).isZero();
        assertThat(again.pruned()).isZero();
        assertThat(peer.scard(Keys.teamObjects("3"))).isEqualTo(10);
    }

    @Test
    void a_progress_consumer_that_throws_stops_the_run_between_pages_keeping_the_pages_done() {
        for (int i = 0; i < 300; i++) {
            peerFeed("team:3:f" + i);
        }
        IllegalStateException stop = new IllegalStateException("stop");
        List<ObjectIndexer.Progress> reports = new ArrayList<>();

        assertThatThrownBy(() -> new ObjectIndexer(TEAMS, 50).indexShard(connection, p -> {
            reports.add(p);
            throw stop;
        })).isSameAs(stop);

        assertThat(reports).hasSize(1);
        assertThat(peer.scard(Keys.teamObjects("3"))).isEqualTo(reports.get(0).indexed()).isPositive()
                .isLessThan(300);
    }

    @Test
    void reports_every_page_of_the_pruning_too_so_a_caller_can_stop_there() {
        for (int i = 0; i < 10; i++) {
            peerFeed("team:" + i + ":f");
        }
        ObjectIndexer indexer = new ObjectIndexer(TEAMS, 2);
        indexer.indexShard(connection, p -> { });
        List<ObjectIndexer.Progress> reports = new ArrayList<>();

        ObjectIndexer.Progress again = indexer.indexShard(connection, reports::add);

        // nothing to index or prune, yet a report per page: of feeds, of the key scan, of each of the 10 indexes
        assertThat(again.indexed()).isZero();
        assertThat(again.pruned()).isZero();
        assertThat(reports.size()).isGreaterThanOrEqualTo(1 + 1 + 10 + 1);
    }

    @Test
    void drops_index_entries_of_objects_a_peer_deleted() {
        peerFeed("team:3:kept");
        peerFeed("team:3:gone");
        peerFeed("team:4:gone");
        new ObjectIndexer(TEAMS).indexShard(connection, p -> { });
        // a peer deletes as the contract says, knowing nothing of the index
        for (String name : List.of("team:3:gone", "team:4:gone")) {
            peer.srem(Keys.FEEDS, name);
            peer.del(Keys.config(name), Keys.ids(name), Keys.items(name));
        }

        ObjectIndexer.Progress result = new ObjectIndexer(TEAMS).indexShard(connection, p -> { });

        assertThat(result.pruned()).isEqualTo(2);
        assertThat(peer.smembers(Keys.teamObjects("3"))).containsExactly("team:3:kept");
        assertThat(peer.exists(Keys.teamObjects("4"))).isZero();
    }

    @Test
    void the_script_checks_each_name_again_so_a_stale_scan_never_indexes_a_deleted_object() {
        peerFeed("team:5:alive");
        // 'gone' was listed by an earlier SSCAN page, then deleted before its page was indexed
        long added = Script.INDEX.<Long>run(connection.async(), ScriptOutputType.INTEGER,
                new String[] {Keys.FEEDS, Keys.teamObjects("5"), Keys.config("team:5:alive"),
                    Keys.teamObjects("5"), Keys.config("team:5:gone")},
                "add", "team:5:alive", "team:5:gone").join();

        assertThat(added).isEqualTo(1);
        assertThat(peer.smembers(Keys.teamObjects("5"))).containsExactly("team:5:alive");
    }
}
