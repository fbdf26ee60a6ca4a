package io.thoonk.cli;

/**
 * A throw-away Redis shard: a {@link LocalRedisServer} primary and one replica of it, started only
 * once the replica's link to the primary is up. {@link #close()} stops both.
 */
final class LocalRedisShard implements AutoCloseable {

    private final String id;
    private final LocalRedisServer primary;
    private final LocalRedisServer replica;

    private LocalRedisShard(String id, LocalRedisServer primary, LocalRedisServer replica) {
        this.id = id;
        this.primary = primary;
        this.replica = replica;
    }

    /** Starts a primary and a replica, and waits until the replica replicates. */
    static LocalRedisShard start(String id) {
        // no 5 s wait for more replicas before the first full sync (Redis 7's default delay)
        LocalRedisServer primary = LocalRedisServer.start("--repl-diskless-sync-delay", "0");
        try {
            LocalRedisServer replica = LocalRedisServer.start("--replicaof", "127.0.0.1",
                    Integer.toString(primary.port()));
            replica.awaitReplicationLink();
            return new LocalRedisShard(id, primary, replica);
        } catch (RuntimeException e) {
            primary.close();
            throw e;
        }
    }

    String id() {
        return id;
    }

    LocalRedisServer primary() {
        return primary;
    }

    LocalRedisServer replica() {
        return replica;
    }

    @Override
    public void close() {
        replica.close();
        primary.close();
    }
}
