package io.thoonk.cli;

import io.thoonk.client.ThoonkException;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.coordinator.EmbeddedZooKeeper;
import io.thoonk.proto.v1.AddShardRequest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Everything {@code thoonk dev} runs on this machine: an embedded ZooKeeper, N local Redis shards
 * (primary + replica each), one coordinator, and the shards registered with it. {@link #close()}
 * stops all of it in reverse order; a JVM shutdown hook, installed before the first process starts,
 * does the same on Ctrl-C or SIGTERM.
 */
final class DevCluster implements AutoCloseable {

    private static final Duration LEADERSHIP_TIMEOUT = Duration.ofSeconds(30);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final List<LocalRedisShard> shards = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stop, "thoonk-dev-stopper");
    private EmbeddedZooKeeper zookeeper;
    private Coordinator coordinator;
    private CoordinatorClient client;

    private DevCluster() {
    }

    /** Starts ZooKeeper, {@code shardCount} shards and a coordinator on {@code port} (0: a free one). */
    static DevCluster start(int shardCount, int port) {
        DevCluster cluster = new DevCluster();
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try {
            cluster.startAll(shardCount, port);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startAll(int shardCount, int port) {
        zookeeper = own(EmbeddedZooKeeper.start());
        for (int i = 1; i <= shardCount; i++) {
            shards.add(own(LocalRedisShard.start("shard-" + i)));
        }
        coordinator = own(Foreground.startCoordinator(CoordinatorConfig.builder(zookeeper.connectString())
                .id("dev").grpcPort(port).build()));
        awaitLeadership();
        client = own(new CoordinatorClient(List.of(coordinator.address())));
        for (LocalRedisShard shard : shards) {
            client.admin(admin -> admin.addShard(AddShardRequest.newBuilder().setId(shard.id())
                    .setPrimary(shard.primary().address()).addReplicas(shard.replica().address()).build()));
        }
    }

    private <T extends AutoCloseable> T own(T resource) {
        synchronized (started) {
            started.push(resource);
        }
        return resource;
    }

    private void awaitLeadership() {
        long deadline = System.nanoTime() + LEADERSHIP_TIMEOUT.toNanos();
        while (!coordinator.isLeader()) {
            if (System.nanoTime() > deadline) {
                throw new ThoonkException("the coordinator did not become leader within "
                        + Durations.format(LEADERSHIP_TIMEOUT));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ThoonkException("interrupted while waiting for the coordinator to lead", e);
            }
        }
    }

    EmbeddedZooKeeper zookeeper() {
        return zookeeper;
    }

    Coordinator coordinator() {
        return coordinator;
    }

    /** A client of the coordinator. */
    CoordinatorClient client() {
        return client;
    }

    List<LocalRedisShard> shards() {
        return List.copyOf(shards);
    }

    /** The number of redis-server processes. */
    int redisProcessCount() {
        return shards.size() * 2;
    }

    /** Stops everything started, newest first; idempotent. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops everything too
        }
    }

    private void stop() {
        synchronized (started) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception e) {
                    // keep stopping the rest
                }
            }
        }
    }
}
