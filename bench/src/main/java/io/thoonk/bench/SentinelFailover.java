package io.thoonk.bench;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.thoonk.testing.Closer;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.SentinelProcess;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: Redis Sentinel, as the issue measured it. Per round: a primary and one replica
 * ({@link RedisShard}), three {@link SentinelProcess}es with quorum 2, {@code down-after-milliseconds}
 * = the detection setting, {@code failover-timeout} {@value #FAILOVER_TIMEOUT_MS} ms and
 * {@code parallel-syncs 1}, optionally {@code min-replicas-to-write} on both nodes; and a Lettuce
 * client connected through the Sentinels ({@code RedisURI.Builder.sentinel}), which asks them for the
 * master each time it (re)connects.
 *
 * <p>The client is given the best settings for this test that stay plain Lettuce: it reconnects
 * every {@value #RECONNECT_MS} ms (Lettuce's default backoff grows to seconds between attempts, which
 * would measure the backoff rather than Sentinel), and every write has the same deadline as the
 * Thoonk client's writes ({@link FailoverRound#WRITE_TIMEOUT}). Writes are {@code RPUSH} of the
 * sequence number to one list; the final primary's list is what {@link FailoverTarget#stored()} reads.
 */
final class SentinelFailover implements FailoverSystem {

    static final String MASTER = "bench";
    static final int FAILOVER_TIMEOUT_MS = 5_000;
    static final int RECONNECT_MS = 20;
    private static final int SENTINELS = 3;
    private static final int QUORUM = 2;
    private static final String LIST = "bench:failover";
    private static final Duration PEERS_TIMEOUT = Duration.ofSeconds(30);

    private final int minReplicasToWrite;

    SentinelFailover(int minReplicasToWrite) {
        if (minReplicasToWrite < 0) {
            throw new IllegalArgumentException("minReplicasToWrite must be >= 0, was " + minReplicasToWrite);
        }
        this.minReplicasToWrite = minReplicasToWrite;
    }

    @Override
    public String name() {
        return minReplicasToWrite == 0 ? "Redis Sentinel" : "Redis Sentinel, min-replicas-to-write " + minReplicasToWrite;
    }

    @Override
    public FailoverTarget start(Duration detection) {
        Closer started = new Closer();
        try {
            RedisShard shard = started.add(RedisShard.start(1));
            if (minReplicasToWrite > 0) {
                shard.processes().forEach(p -> p.call("CONFIG SET min-replicas-to-write " + minReplicasToWrite));
            }
            Map<String, String> options = Map.of("down-after-milliseconds", Long.toString(detection.toMillis()),
                    "failover-timeout", Integer.toString(FAILOVER_TIMEOUT_MS), "parallel-syncs", "1");
            List<SentinelProcess> sentinels = new ArrayList<>();
            for (int i = 0; i < SENTINELS; i++) {
                sentinels.add(started.add(SentinelProcess.monitoring(MASTER, shard.primary(), QUORUM, options)));
            }
            for (SentinelProcess s : sentinels) {
                s.awaitPeers(1, SENTINELS - 1, PEERS_TIMEOUT);
            }
            RedisURI.Builder uri = RedisURI.Builder.sentinel(sentinels.get(0).host(), sentinels.get(0).port(), MASTER)
                    .withTimeout(FailoverRound.WRITE_TIMEOUT);
            sentinels.subList(1, sentinels.size()).forEach(s -> uri.withSentinel(s.host(), s.port()));
            // resources of its own: their executors end with the round, and with them the timeouts of its
            // reconnect attempts (shared ones would fire later, on the closed client's event loops)
            ClientResources resources = ClientResources.builder()
                    .reconnectDelay(Delay.constant(Duration.ofMillis(RECONNECT_MS))).build();
            started.add(() -> resources.shutdown(0, 2, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS));
            RedisClient client = RedisClient.create(resources, uri.build());
            started.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
            client.setOptions(ClientOptions.builder()
                    .timeoutOptions(TimeoutOptions.enabled(FailoverRound.WRITE_TIMEOUT)).build());
            StatefulRedisConnection<String, String> connection = started.add(client.connect());
            return new Target(shard, sentinels, client, connection, started);
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    /** One round's processes and client. */
    private static final class Target implements FailoverTarget {

        private final RedisShard shard;
        private final List<SentinelProcess> sentinels;
        private final RedisClient client;
        private final StatefulRedisConnection<String, String> connection;
        private final Closer owned;
        private RedisProcess paused;

        Target(RedisShard shard, List<SentinelProcess> sentinels, RedisClient client,
               StatefulRedisConnection<String, String> connection, Closer owned) {
            this.shard = shard;
            this.sentinels = sentinels;
            this.client = client;
            this.connection = connection;
            this.owned = owned;
        }

        @Override
        public CompletionStage<?> write(long seq) {
            return connection.async().rpush(LIST, Long.toString(seq));
        }

        /** The process the Sentinels name as master now. */
        private RedisProcess master() {
            String address = sentinels.get(0).masterAddress();
            return shard.processes().stream().filter(p -> p.address().equals(address)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the Sentinels name " + address
                            + ", which is not a node of " + shard));
        }

        @Override
        public void killPrimary() {
            master().kill();
        }

        @Override
        public synchronized void pausePrimary() {
            paused = master();
            paused.pause();
        }

        @Override
        public synchronized void resumePrimary() {
            Objects.requireNonNull(paused, "no primary was paused").resume();
        }

        @Override
        public boolean settled() {
            try {
                String address = sentinels.get(0).masterAddress();
                for (SentinelProcess s : sentinels.subList(1, sentinels.size())) {
                    if (!s.masterAddress().equals(address)) {
                        return false;
                    }
                }
                RedisProcess master = master();
                return FailoverTarget.settledAround(shard, master);
            } catch (IOException | FixtureException notAnswering) {
                return false;
            }
        }

        @Override
        public BitSet stored() {
            RedisProcess master = master();
            RedisURI uri = RedisURI.Builder.redis(master.host(), master.port()).withTimeout(FailoverRound.WRITE_TIMEOUT)
                    .build();
            try (StatefulRedisConnection<String, String> direct = client.connect(uri)) {
                BitSet stored = new BitSet();
                direct.sync().lrange(LIST, 0, -1).forEach(v -> stored.set(Integer.parseInt(v)));
                return stored;
            }
        }

        @Override
        public void close() {
            owned.close();
        }
    }
}
