package io.thoonk.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning a {@link RedisShard} for a test class or a single test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisShardExtension redis = RedisShardExtension.withReplicas(1);   // one shard per class
 *
 * @RegisterExtension
 * final RedisShardExtension fresh = RedisShardExtension.withReplicas(0);          // one shard per test
 * }</pre>
 *
 * A static field starts the shard before all tests and kills it after them; an instance field does
 * so around each test. Processes are killed even when the test fails. Between tests of a shared
 * shard, {@link #flushAll()} empties it.
 */
public final class RedisShardExtension implements BeforeAllCallback, AfterAllCallback,
        BeforeEachCallback, AfterEachCallback {

    private final int replicaCount;
    private RedisShard shard;
    private boolean perClass;

    private RedisShardExtension(int replicaCount) {
        this.replicaCount = replicaCount;
    }

    /** A primary with {@code replicaCount} replicas. */
    public static RedisShardExtension withReplicas(int replicaCount) {
        return new RedisShardExtension(replicaCount);
    }

    /** A primary without replicas. */
    public static RedisShardExtension primaryOnly() {
        return new RedisShardExtension(0);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        shard = RedisShard.start(replicaCount);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            shard = RedisShard.start(replicaCount);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    private void stop() {
        if (shard != null) {
            shard.close();
            shard = null;
        }
    }

    public RedisShard shard() {
        if (shard == null) {
            throw new IllegalStateException("the Redis shard is not running: register the extension with @RegisterExtension");
        }
        return shard;
    }

    public RedisProcess primary() {
        return shard().primary();
    }

    public String primaryUri() {
        return shard().primaryUri();
    }

    /** Empties the primary (and so its replicas). */
    public void flushAll() {
        primary().call("FLUSHALL");
    }
}
