package io.thoonk.client;

import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One real Redis per test class, emptied before each test, and a client connected to it. */
abstract class ClientTestSupport {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    Thoonk thoonk;

    /** Options of the test's client; override to change them. */
    ThoonkOptions options() {
        return ThoonkOptions.defaults();
    }

    @BeforeEach
    final void connectClient() {
        redis.flushAll();
        thoonk = Thoonk.connect(redis.primaryUri(), options());
    }

    @AfterEach
    final void closeClient() {
        thoonk.close();
    }
}
