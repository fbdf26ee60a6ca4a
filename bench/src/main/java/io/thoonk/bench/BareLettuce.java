package io.thoonk.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.client.ObjectType;
import io.thoonk.client.TeamRule;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;

import java.util.UUID;

/**
 * The baseline: the contract's Lua scripts, which the client runs, run with {@code EVALSHA} over a
 * plain Lettuce connection, with the KEYS and ARGV the client sends. What the client costs on top of
 * this is its overhead.
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

    /**
     * KEYS of the write scripts of an object of {@code type}, as the client sends them: the contract's
     * definition ({@link Keys#common}, {@link Keys#specific}), with the team the client's standard team
     * rule gives the name.
     */
    static String[] keys(ObjectType type, String name) {
        return Keys.common(name, TEAMS.teamOf(name), Keys.specific(type.contractName(), name));
    }

    /**
     * {@code EVALSHA} of {@code script} with ARGV {@code [name, instance, "", default history, args...]}:
     * the four arguments every object script starts with, then the script's own.
     */
    <T> RedisFuture<T> evalsha(Script script, ScriptOutputType output, String[] keys, String name, String... args) {
        String[] all = new String[4 + args.length];
        all[0] = name;
        all[1] = instanceId;
        all[2] = "";
        all[3] = DEFAULT_HISTORY;
        System.arraycopy(args, 0, all, 4, args.length);
        return commands.evalsha(script.sha(), output, keys, all);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
