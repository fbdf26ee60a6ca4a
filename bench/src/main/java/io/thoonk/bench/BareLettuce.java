package io.thoonk.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.client.TeamRule;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.client.internal.Keys;
import io.thoonk.client.internal.Script;

import java.util.UUID;

/**
 * The baseline: the client's own Lua scripts run with {@code EVALSHA} over a plain Lettuce
 * connection, with the KEYS and ARGV the client sends. What the client costs on top of this is its
 * overhead.
 */
final class BareLettuce implements AutoCloseable {

    private static final String DEFAULT_HISTORY = Integer.toString(ThoonkOptions.DEFAULT_HISTORY_LENGTH);
    private static final TeamRule TEAMS = TeamRule.standard();

    private final RedisClient client;
    private final RedisURI uri;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final String instanceId = UUID.randomUUID().toString();

    private BareLettuce(String uri) {
        this.client = RedisClient.create();
        this.uri = RedisURI.create(uri);
        this.connection = client.connect(StringCodec.UTF8, this.uri);
        this.commands = connection.async();
    }

    /** Connects and loads the scripts it runs (EVALSHA alone, as the client does after the first call). */
    static BareLettuce connect(String uri) {
        BareLettuce bare = new BareLettuce(uri);
        for (Script s : new Script[] {Script.FEED, Script.JOBS}) {
            String sha = bare.connection.sync().scriptLoad(s.source());
            if (!sha.equals(s.sha())) {
                throw new IllegalStateException("SCRIPT LOAD of " + s.name() + " gave " + sha + ", the client uses " + s.sha());
            }
        }
        return bare;
    }

    /** A pub/sub connection of its own (not the client's). */
    StatefulRedisPubSubConnection<String, String> connectPubSub() {
        return client.connectPubSub(StringCodec.UTF8, uri);
    }

    /** KEYS of the feed write script: the five common keys, then ids, items, publishes, item revisions. */
    static String[] feedKeys(String name) {
        return common(name, Keys.ids(name), Keys.items(name), Keys.publishes(name), Keys.itemRevisions(name));
    }

    /** KEYS of the job script: the five common keys, then the ten job keys. */
    static String[] jobKeys(String name) {
        return common(name, Keys.ids(name), Keys.items(name), Keys.publishes(name), Keys.published(name),
                Keys.claimed(name), Keys.stalled(name), Keys.cancelled(name), Keys.finishes(name), Keys.results(name),
                Keys.resultExpiry(name));
    }

    private static String[] common(String name, String... specific) {
        String[] keys = new String[5 + specific.length];
        keys[0] = Keys.FEEDS;
        keys[1] = Keys.config(name);
        keys[2] = Keys.revision(name);
        keys[3] = Keys.history(name);
        keys[4] = Keys.fence(TEAMS.teamOf(name));
        System.arraycopy(specific, 0, keys, 5, specific.length);
        return keys;
    }

    /**
     * {@code EVALSHA} of {@code script} with ARGV {@code [name, instance, "", default history, op, id,
     * value, flag]}, the layout of every object script.
     */
    <T> RedisFuture<T> evalsha(Script script, ScriptOutputType output, String[] keys, String name, String op,
                               String id, String value, String flag) {
        return commands.evalsha(script.sha(), output, keys, name, instanceId, "", DEFAULT_HISTORY, op, id, value, flag);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
