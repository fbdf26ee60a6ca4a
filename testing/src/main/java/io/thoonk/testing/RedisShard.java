package io.thoonk.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Redis shard: one primary and N replicas of it, each its own {@link RedisProcess} on a free
 * loopback port. {@link #start(int)} returns only once every replica reports
 * {@code master_link_status:up}, so users start from a replicating shard. {@link #close()} kills
 * them all; idempotent. {@link #start(int, String)} starts every node with a password
 * ({@link RedisProcess#startWithPassword}: required of clients, and given by replicas to their primary).
 */
public final class RedisShard implements AutoCloseable {

    static final Duration LINK_TIMEOUT = Duration.ofSeconds(20);

    private final RedisProcess primary;
    private final List<RedisProcess> replicas;

    private RedisShard(RedisProcess primary, List<RedisProcess> replicas) {
        this.primary = primary;
        this.replicas = List.copyOf(replicas);
    }

    /**
     * Starts a primary and {@code replicaCount} replicas of it, and waits until every replica's link
     * to the primary is up. A failure stops whatever was started.
     *
     * @throws FixtureException (or its subtypes) if a server does not start or a replica does not link within 20 s
     */
    public static RedisShard start(int replicaCount) {
        return start(replicaCount, null);
    }

    /**
     * Like {@link #start(int)}, every node requiring {@code password} (null: none) of its clients and
     * replicas authenticating with it to their primary.
     *
     * @throws IllegalArgumentException if the password is not one {@link RedisProcess#startWithPassword} takes
     */
    public static RedisShard start(int replicaCount, String password) {
        if (replicaCount < 0) {
            throw new IllegalArgumentException("replicaCount must be >= 0, was " + replicaCount);
        }
        Closer started = new Closer();
        try {
            RedisProcess primary = started.add(node(password));
            List<RedisProcess> replicas = new ArrayList<>();
            for (int i = 0; i < replicaCount; i++) {
                replicas.add(started.add(node(password, "--replicaof", primary.host(),
                        Integer.toString(primary.port()))));
            }
            RedisShard shard = new RedisShard(primary, replicas);
            shard.awaitReplicationLinks();
            return shard;
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    private static RedisProcess node(String password, String... args) {
        return password == null ? RedisProcess.start(args) : RedisProcess.startWithPassword(password, args);
    }

    /**
     * Waits until every replica's link to the primary is up (e.g. after restarting the primary).
     *
     * @throws FixtureTimeoutException if one is not up within 20 s
     */
    public void awaitReplicationLinks() {
        Deadline deadline = Deadline.after(LINK_TIMEOUT);
        for (RedisProcess replica : replicas) {
            deadline.await(() -> replica + " did not connect to its primary " + primary, () -> linkUp(replica));
        }
    }

    private static boolean linkUp(RedisProcess replica) {
        try {
            return replica.command("INFO replication").contains("master_link_status:up");
        } catch (IOException notYet) {
            return false;
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

    /** The primary's {@code 127.0.0.1:port}, as the coordinator's API names Redis nodes. */
    public String primaryAddress() {
        return primary.address();
    }

    /** The replicas' {@code 127.0.0.1:port}, in start order. */
    public List<String> replicaAddresses() {
        return replicas.stream().map(RedisProcess::address).toList();
    }

    /** Every process of the shard, primary first. */
    public List<RedisProcess> processes() {
        return Stream.concat(Stream.of(primary), replicas.stream()).toList();
    }

    /** Empties the primary (and so, through replication, its replicas). */
    public void flushAll() {
        primary.call("FLUSHALL");
    }

    /** Kills the replicas, then the primary; idempotent. */
    @Override
    public void close() {
        Closer closer = new Closer();
        closer.add(primary);
        replicas.forEach(closer::add);
        closer.close();
    }

    @Override
    public String toString() {
        return "shard[primary=" + primary + ", replicas=" + replicas + "]";
    }
}
