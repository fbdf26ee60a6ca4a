package io.thoonk.it;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.thoonk.contract.Keys;
import io.thoonk.testing.RedisProcess;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Direct reads of a team's keys on one redis-server, behind the client's back, to check where a
 * team's data is after a move: which items a feed's history holds, which keys of a team are left,
 * the team's fence.
 */
final class ShardReader implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    ShardReader(RedisProcess redis) {
        client = RedisClient.create(redis.uri());
        connection = client.connect();
    }

    RedisCommands<String, String> sync() {
        return connection.sync();
    }

    /** The item ids of {@code feed}'s history entries, in revision order (entry n is revision n + 1). */
    List<String> historyIds(String feed) {
        List<String> ids = new ArrayList<>();
        long revision = 1;
        for (StreamMessage<String, String> entry : sync().xrange("feed.history:" + feed, Range.create("-", "+"))) {
            if (!entry.getId().equals(revision + "-0")) {
                throw new AssertionError("history of " + feed + ": entry " + entry.getId() + " where revision "
                        + revision + " was expected");
            }
            ids.add(entry.getBody().get("e").split("\0", -1)[2]);
            revision++;
        }
        return ids;
    }

    /** Every key of team {@code team} but its fence: object keys in both name forms, its indexes and requests. */
    TreeSet<String> teamKeys(String team) {
        TreeSet<String> keys = new TreeSet<>();
        keys.addAll(sync().keys("*team:" + team + ":*"));
        keys.addAll(sync().keys("*team." + team + ".*"));
        keys.addAll(sync().keys(Keys.request(team, "*")));
        for (String k : List.of(Keys.teamObjects(team), Keys.teamDeleted(team), Keys.teamRequests(team))) {
            if (sync().exists(k) == 1) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** Team {@code team}'s fence on this server (empty when it has none). */
    Map<String, String> fence(String team) {
        return sync().hgetall(Keys.fence(team));
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
