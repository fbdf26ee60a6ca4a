package io.thoonk.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis shard: one primary and N replicas, each its own {@code redis-server} process on a
 * free loopback port. {@link #start(int)} returns only once every replica reports
 * {@code master_link_status:up}, so tests start from a replicating shard.
 */
public final class RedisShard implements AutoCloseable {

    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(20);

    private final RedisProcess primary;
    private final List<RedisProcess> replicas;

    private RedisShard(RedisProcess primary, List<RedisProcess> replicas) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
    }

    /** Starts a primary and {@code replicaCount} replicas of it. */
    public static RedisShard start(int replicaCount) {
        if (replicaCount < 0) {
            throw new IllegalArgumentException("replicaCount must be >= 0, was " + replicaCount);
        }
        RedisProcess primary = RedisProcess.start();
        List<RedisProcess> replicas = new ArrayList<>();
        try {
            for (int i = 0; i < replicaCount; i++) {
                replicas.add(RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
            }
            RedisShard shard = new RedisShard(primary, replicas);
            shard.awaitReplicationLinks();
            return shard;
        } catch (RuntimeException e) {
            replicas.forEach(RedisProcess::close);
            primary.close();
            throw e;
        }
    }

    /** Waits until every replica's link to the primary is up. */
    public void awaitReplicationLinks() {
        long deadline = System.nanoTime() + LINK_TIMEOUT.toNanos();
        for (RedisProcess replica : replicas) {
            while (!replica.call("INFO replication").contains("master_link_status:up")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(replica + " did not connect to its primary " + primary
                            + " within " + LINK_TIMEOUT);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
    }

    public RedisProcess primary() {
        return primary;
    }

    public List<RedisProcess> replicas() {
        return replicas;
    }

    /** The primary's {@code redis://127.0.0.1:port}. */
    public String primaryUri() {
        return primary.uri();
    }

    public List<String> replicaUris() {
        return replicas.stream().map(RedisProcess::uri).toList();
    }

    @Override
    public void close() {
        replicas.forEach(RedisProcess::close);
        primary.close();
    }

    @Override
    public String toString() {
        return "shard[primary=" + primary + ", replicas=" + replicas + "]";
    }
}
