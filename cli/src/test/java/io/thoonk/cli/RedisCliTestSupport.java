package io.thoonk.cli;

import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One real Redis per test class, emptied before each test, and a CLI runner pointed at it. */
abstract class RedisCliTestSupport {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    final CliRunner cli = new CliRunner(redis::primaryUri);

    @BeforeEach
    final void emptyRedis() {
        redis.flushAll();
    }
}
