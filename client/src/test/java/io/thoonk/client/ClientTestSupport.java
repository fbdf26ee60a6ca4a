package io.thoonk.client;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One real Redis per test class, emptied before each test, a client connected to it, and on demand
 * a plain Lettuce connection to the same Redis: the view of another process (an original Thoonk
 * peer, a tool).
 */
abstract class ClientTestSupport {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    Thoonk thoonk;
    private RedisClient peerClient;
    private StatefulRedisConnection<String, String> peerConnection;

    /** Options of the test's client; override to change them. */
    ThoonkOptions options() {
        return ThoonkOptions.defaults();
    }

    @BeforeEach
    final void connectClient() {
        redis.flushAll();
        thoonk = Thoonk.connect(redis.primaryUri(), options());
    }

    /** Plain Lettuce to the test's Redis, connected on first use, closed after the test. */
    final RedisClient peerClient() {
        if (peerClient == null) {
            peerClient = RedisClient.create(redis.primaryUri());
        }
        return peerClient;
    }

    /** A plain Lettuce connection to the test's Redis, opened on first use, closed after the test. */
    final StatefulRedisConnection<String, String> peerConnection() {
        if (peerConnection == null) {
            peerConnection = peerClient().connect();
        }
        return peerConnection;
    }

    /** Synchronous commands on {@link #peerConnection()}. */
    final RedisCommands<String, String> peer() {
        return peerConnection().sync();
    }

    @AfterEach
    final void closeClient() {
        thoonk.close();
        if (peerClient != null) {
            peerClient.shutdown();
            peerClient = null;
            peerConnection = null;
        }
    }
}
