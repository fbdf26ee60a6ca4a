package io.thoonk.testing;

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
 * shard, {@link #flushAll()} empties it. {@link #withPassword} makes every node require a password.
 */
public final class RedisShardExtension extends OwningExtension<RedisShard> {

    private final int replicaCount;
    private final String password;

    private RedisShardExtension(int replicaCount, String password) {
        if (replicaCount < 0) {
            throw new IllegalArgumentException("replicaCount must be >= 0, was " + replicaCount);
        }
        this.replicaCount = replicaCount;
        this.password = password;
    }

    /** A primary with {@code replicaCount} replicas. */
    public static RedisShardExtension withReplicas(int replicaCount) {
        return new RedisShardExtension(replicaCount, null);
    }

    /** A primary without replicas. */
    public static RedisShardExtension primaryOnly() {
        return new RedisShardExtension(0, null);
    }

    /** The same shard with every node requiring {@code password} ({@link RedisShard#start(int, String)}). */
    public RedisShardExtension withPassword(String password) {
        return new RedisShardExtension(replicaCount, java.util.Objects.requireNonNull(password, "password == null"));
    }

    @Override
    RedisShard start() {
        return RedisShard.start(replicaCount, password);
    }

    public RedisShard shard() {
        return fixture();
    }

    public RedisProcess primary() {
        return shard().primary();
    }

    public String primaryUri() {
        return shard().primaryUri();
    }

    /** Empties the primary (and so its replicas). */
    public void flushAll() {
        shard().flushAll();
    }
}
