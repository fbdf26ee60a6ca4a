package io.thoonk.testing.cluster;

import io.grpc.StatusRuntimeException;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.testing.Closer;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.ZooKeeperEnsemble;

import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * A whole Thoonk cluster on this machine: ZooKeeper (in this JVM), Redis shards (a primary and N
 * replicas each, real {@code redis-server} processes), coordinators in one ZooKeeper namespace with
 * one of them leading, forming one Hazelcast cluster of their number (so a majority of them has
 * quorum), and the shards registered with them. What {@code thoonk dev} runs, and what
 * end-to-end tests run (through {@link LocalClusterExtension}, one namespace per test).
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().shards(2).replicasPerShard(1).start()) {
 *     Thoonk thoonk = Thoonk.connectCluster(cluster.coordinators().addresses(), ThoonkOptions.defaults());
 *     ...
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once a coordinator leads and every shard is registered; a
 * failure stops whatever was started and throws a {@link FixtureException} saying what failed.
 * {@link #close()} stops the coordinators, then the shards, then ZooKeeper; the
 * {@link io.thoonk.testing.Reaper} does the same at JVM exit.
 *
 * <p>With {@link Builder#redisPassword}, it runs as deployments do with Redis authentication on:
 * every node requires the password, the coordinators authenticate with it, and clients take
 * {@link #redisCredentials()} ({@code ThoonkOptions.builder().redisCredentials(cluster.redisCredentials())}).
 */
public final class LocalCluster implements AutoCloseable {

    static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(10);

    private final ZooKeeperEnsemble zookeeper;
    private final Coordinators coordinators;
    private final Coordinator first;
    private final Map<String, RedisShard> shards;
    private final RedisCredentials redisCredentials;
    private final Closer owned;

    private LocalCluster(ZooKeeperEnsemble zookeeper, Coordinators coordinators, Map<String, RedisShard> shards,
                         RedisCredentials redisCredentials, Closer owned) {
        this.zookeeper = zookeeper;
        this.coordinators = coordinators;
        this.first = coordinators.all().get(0);
        this.shards = Collections.unmodifiableMap(new LinkedHashMap<>(shards));
        this.redisCredentials = redisCredentials;
        this.owned = owned;
    }

    /** One ZooKeeper server, one coordinator {@code c1} in namespace {@code thoonk}, no shard, until told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ZooKeeper servers. */
    public ZooKeeperEnsemble zookeeper() {
        return zookeeper;
    }

    /** The ZooKeeper namespace of this cluster's directory. */
    public String namespace() {
        return coordinators.namespace();
    }

    /** The coordinators: start and stop more, find the leader, open channels. */
    public Coordinators coordinators() {
        return coordinators;
    }

    /** The first coordinator started (with a single coordinator: the leader). */
    public Coordinator coordinator() {
        return first;
    }

    /** The shards by id, in the order they were given. */
    public Map<String, RedisShard> shards() {
        return shards;
    }

    /** The shard {@code id}. */
    public RedisShard shard(String id) {
        RedisShard shard = shards.get(id);
        if (shard == null) {
            throw new IllegalArgumentException("no shard '" + id + "'; the cluster has " + shards.keySet());
        }
        return shard;
    }

    /**
     * What the shards' nodes require of clients: {@link RedisCredentials#none()} unless the
     * cluster was built with a {@link Builder#redisPassword password}.
     */
    public RedisCredentials redisCredentials() {
        return redisCredentials;
    }

    /** The number of redis-server processes of the shards. */
    public int redisProcessCount() {
        return shards.values().stream().mapToInt(s -> s.processes().size()).sum();
    }

    /**
     * Registers shard {@code id} (its primary and replicas) through the leader's {@code Admin.AddShard}.
     *
     * @throws FixtureException if the coordinator refuses it or does not answer within 10 s
     */
    public void registerShard(String id) {
        RedisShard shard = shard(id);
        Coordinator leader = coordinators.leader();
        try {
            AdminGrpc.newBlockingStub(coordinators.channel(leader))
                    .withDeadlineAfter(REGISTRATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress())
                            .addAllReplicas(shard.replicaAddresses()).build());
        } catch (StatusRuntimeException e) {
            throw new FixtureException("coordinator " + leader.id() + " did not register shard " + id + " (" + shard
                    + "): " + e.getStatus(), e);
        }
    }

    /** Stops what this cluster started (coordinators, then shards, then ZooKeeper); idempotent. */
    @Override
    public void close() {
        owned.close();
    }

    @Override
    public String toString() {
        return "cluster[" + zookeeper + ", " + coordinators + ", shards " + shards.keySet() + "]";
    }

    /** What to start. Not thread-safe; {@link #start()} may be called more than once. */
    public static final class Builder {
        private int zookeeperServers = 1;
        private String namespace = "thoonk";
        private List<String> coordinatorIds = List.of("c1");
        private int coordinatorPort;
        private UnaryOperator<CoordinatorConfig.Builder> settings = UnaryOperator.identity();
        private List<String> shardIds = List.of();
        private int replicasPerShard;
        private boolean registerShards = true;
        private String redisPassword;

        private Builder() {
        }

        /** ZooKeeper servers to start: 1 (standalone, the default) or an ensemble of 3 or more. */
        public Builder zookeeperServers(int count) {
            this.zookeeperServers = atLeast(1, "zookeeperServers", count);
            return this;
        }

        /** The ZooKeeper namespace of the directory (default {@code thoonk}). */
        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace == null");
            return this;
        }

        /** {@code count} coordinators, {@code c1} .. {@code cN} (default 1). */
        public Builder coordinators(int count) {
            return coordinators(numbered("c", atLeast(1, "coordinators", count)));
        }

        /** Coordinators with these ids, started in this order. */
        public Builder coordinators(String... ids) {
            this.coordinatorIds = distinct("coordinator ids", ids);
            if (coordinatorIds.isEmpty()) {
                throw new IllegalArgumentException("at least one coordinator is needed");
            }
            return this;
        }

        /**
         * The first coordinator's gRPC port; the others take the ports after it, in order (default 0:
         * each takes a free one).
         */
        public Builder coordinatorPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("coordinatorPort must be 0..65535, was " + port);
            }
            this.coordinatorPort = port;
            return this;
        }

        /** Settings for every coordinator, e.g. {@code b -> b.sessionTimeout(Duration.ofSeconds(5))}. */
        public Builder coordinatorSettings(UnaryOperator<CoordinatorConfig.Builder> settings) {
            this.settings = Objects.requireNonNull(settings, "settings == null");
            return this;
        }

        /** {@code count} shards, {@code shard-1} .. {@code shard-N} (default none). */
        public Builder shards(int count) {
            return shards(numbered("shard-", atLeast(0, "shards", count)));
        }

        /** Shards with these ids, started and registered in this order. */
        public Builder shards(String... ids) {
            this.shardIds = distinct("shard ids", ids);
            return this;
        }

        /** Replicas of each shard's primary (default 0). */
        public Builder replicasPerShard(int count) {
            this.replicasPerShard = atLeast(0, "replicasPerShard", count);
            return this;
        }

        /** Whether {@link #start()} registers the shards with the coordinators (default true). */
        public Builder registerShards(boolean register) {
            this.registerShards = register;
            return this;
        }

        /**
         * Redis authentication on (default off): every node of the shards requires {@code password}
         * ({@code requirepass}, and {@code masterauth} for replication), and the coordinators
         * authenticate with it. Letters, digits and {@code . _ ~ -} only.
         */
        public Builder redisPassword(String password) {
            Objects.requireNonNull(password, "password == null");
            if (!password.matches("[A-Za-z0-9._~-]+")) {
                throw new IllegalArgumentException("the local cluster's Redis password is letters, digits and . _ ~ - "
                        + "only");
            }
            this.redisPassword = password;
            return this;
        }

        int zookeeperServers() {
            return zookeeperServers;
        }

        private RedisCredentials redisCredentials() {
            return redisPassword == null ? RedisCredentials.none() : RedisCredentials.password(redisPassword.toCharArray());
        }

        /** Starts the shards this builder describes, each added to {@code owner}. */
        Map<String, RedisShard> startShards(Closer owner) {
            Map<String, RedisShard> started = new LinkedHashMap<>();
            for (String id : shardIds) {
                started.put(id, owner.add(RedisShard.start(replicasPerShard, redisPassword)));
            }
            return started;
        }

        /**
         * Starts ZooKeeper, the shards and the coordinators, waits until one coordinator leads, and
         * registers the shards.
         *
         * @throws FixtureException (or a subtype) saying what did not start; nothing is left running
         */
        public LocalCluster start() {
            return start(namespace, null, null);
        }

        /**
         * Like {@link #start()}, in {@code namespace}, on {@code sharedZooKeeper} and
         * {@code sharedShards} when not null (running already; the cluster does not stop them).
         */
        LocalCluster start(String namespace, ZooKeeperEnsemble sharedZooKeeper, Map<String, RedisShard> sharedShards) {
            Closer owned = new Closer();
            try {
                ZooKeeperEnsemble zookeeper = sharedZooKeeper != null ? sharedZooKeeper
                        : owned.add(ZooKeeperEnsemble.start(zookeeperServers));
                Map<String, RedisShard> shards = sharedShards != null ? sharedShards : startShards(owned);
                int clusterSize = coordinatorIds.size();
                RedisCredentials credentials = redisCredentials();
                Coordinators coordinators = owned.add(Coordinators.create(zookeeper.connectString(), namespace,
                        b -> settings.apply(b.clusterSize(clusterSize).redisCredentials(credentials))));
                for (int i = 0; i < coordinatorIds.size(); i++) {
                    coordinators.start(coordinatorIds.get(i), coordinatorPort == 0 ? 0 : coordinatorPort + i);
                }
                coordinators.leader();
                LocalCluster cluster = new LocalCluster(zookeeper, coordinators, shards, credentials, owned);
                if (registerShards) {
                    shards.keySet().forEach(cluster::registerShard);
                }
                return cluster;
            } catch (RuntimeException | Error e) {
                owned.closeAfter(e);
                throw e;
            }
        }

        private static String[] numbered(String prefix, int count) {
            return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + i).toArray(String[]::new);
        }

        private static int atLeast(int min, String what, int value) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be >= " + min + ", was " + value);
            }
            return value;
        }

        private static List<String> distinct(String what, String... ids) {
            List<String> list = List.of(ids);
            if (new HashSet<>(list).size() != list.size()) {
                throw new IllegalArgumentException(what + " must differ, were " + list);
            }
            return List.copyOf(list);
        }
    }
}
