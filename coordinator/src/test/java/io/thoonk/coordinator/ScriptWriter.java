package io.thoonk.coordinator;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import io.thoonk.testing.RedisShard;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes objects on a shard's primary through the contract's scripts, as a client routed to the
 * team's first placement (epoch 1) would, each write with a request id of its own: test data for
 * team moves, drains and rebalances. The team is read from names of the form {@code team:<id>:...}.
 */
final class ScriptWriter implements AutoCloseable {

    private static final AtomicInteger REQUESTS = new AtomicInteger();

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final AtomicInteger requests;

    /** Request ids {@code r<n>} from a counter of the JVM's, unique across tests. */
    ScriptWriter(RedisShard shard) {
        this(shard, REQUESTS);
    }

    /** Request ids {@code r<n>} from {@code requests} (a test's own, to name them: r1 is its first). */
    ScriptWriter(RedisShard shard, AtomicInteger requests) {
        this.requests = requests;
        client = RedisClient.create(shard.primary().uri());
        connection = client.connect();
    }

    /** Runs {@code script} on object {@code name} of contract type {@code type} with the op's arguments. */
    Object run(Script script, String type, String name, String... opArgs) {
        String team = name.split(":")[1];
        String[] keys = Keys.withRequest(Keys.common(name, team, Keys.specific(type, name)), team,
                "r" + requests.incrementAndGet());
        List<String> args = new ArrayList<>(List.of(name, "test", "", "1000"));
        args.addAll(List.of(opArgs));
        return script.run(connection.async(), ScriptOutputType.MULTI, keys, args.toArray(String[]::new)).join();
    }

    RedisCommands<String, String> sync() {
        return connection.sync();
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
