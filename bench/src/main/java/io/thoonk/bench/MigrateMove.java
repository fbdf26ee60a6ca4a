package io.thoonk.bench;

import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.client.Thoonk;
import io.thoonk.contract.Keys;
import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The baseline: Redis's own {@code MIGRATE}, as the issue measured it. Per round, two fresh
 * {@code redis-server} processes and a {@link Thoonk} client connected to the source (plain Redis has
 * no routing: the client keeps writing to the source, so a write during the move shows how long the
 * source blocks it). The move is one {@code MIGRATE host port "" 0 timeout KEYS ...} of every key of
 * the team: every key of every object in the team's object index ({@link Keys#teamObjects}: config,
 * revision, history and the type's own keys, {@link Keys#common} and {@link Keys#specific}), the
 * index itself and the team's fence. The shard-wide registry set {@code feeds} stays (it is not the
 * team's). {@code MIGRATE} serialises the keys, sends them, waits for the target's {@code RESTORE}s
 * and deletes them from the source, all inside one command: the source runs nothing else meanwhile.
 */
final class MigrateMove implements MoveSystem {

    /** {@code MIGRATE}'s own timeout: the longest idle time talking to the target. */
    static final long MIGRATE_TIMEOUT_MS = 60_000;
    /** The command deadline of the connection that sends {@code MIGRATE}: past the largest case's. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    @Override
    public String name() {
        return "MIGRATE";
    }

    @Override
    public MoveDeployment start(String team) {
        Closer started = new Closer();
        try {
            RedisProcess source = started.add(RedisProcess.start());
            RedisProcess target = started.add(RedisProcess.start());
            Thoonk client = started.add(Thoonk.connect(source.uri()));
            RedisClient lettuce = RedisClient.create(RedisURI.Builder.redis(source.host(), source.port())
                    .withTimeout(COMMAND_TIMEOUT).build());
            started.add(() -> lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
            StatefulRedisConnection<String, String> admin = started.add(lettuce.connect());
            return new Deployment(source, target, client, admin, started);
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    private record Deployment(RedisProcess source, RedisProcess target, Thoonk client,
                              StatefulRedisConnection<String, String> admin, Closer owned) implements MoveDeployment {

        @Override
        public OptionalLong move(String team) {
            List<String> keys = teamKeys(team);
            String reply = admin.sync().migrate(target.host(), target.port(), 0, MIGRATE_TIMEOUT_MS,
                    MigrateArgs.Builder.keys(keys));
            if (!"OK".equals(reply)) {
                throw new IllegalStateException("MIGRATE of team " + team + "'s " + keys.size() + " keys from "
                        + source + " to " + target + " answered " + reply);
            }
            return OptionalLong.empty();
        }

        /** Every key of the team on the source, from its object index (the keys that exist are moved). */
        private List<String> teamKeys(String team) {
            Set<String> objects = admin.sync().smembers(Keys.teamObjects(team));
            if (objects.isEmpty()) {
                throw new IllegalStateException("team " + team + " has no object in its index "
                        + Keys.teamObjects(team) + " on " + source);
            }
            Set<String> keys = new LinkedHashSet<>();
            for (String name : objects) {
                String type = admin.sync().hget(Keys.config(name), "type");
                if (type == null) {
                    throw new IllegalStateException("object " + name + " of team " + team + " has no type in "
                            + Keys.config(name) + " on " + source);
                }
                for (String key : Keys.common(name, team, Keys.specific(type, name))) {
                    if (!key.equals(Keys.FEEDS) && !key.equals(Keys.NO_REQUEST)) {
                        keys.add(key);
                    }
                }
            }
            return new ArrayList<>(keys);
        }

        @Override
        public void close() {
            owned.close();
        }
    }
}
