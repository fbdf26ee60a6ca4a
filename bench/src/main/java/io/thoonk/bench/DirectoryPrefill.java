package io.thoonk.bench;

import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.ZkLayout;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamBucket;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a directory of many placed teams straight into ZooKeeper, in the coordinator's layout
 * ({@link ZkLayout}): {@link DirectoryStore#ensureLayout()}, then a few shards, then one
 * {@code TeamBucket} node per bucket holding every team that {@link ZkLayout#bucketOf} puts there,
 * then {@code /revision}. A benchmark prefill, not an API: placing a million teams one Resolve at a
 * time would take far longer than the benchmark, and nothing else in the project writes these nodes
 * but the coordinator. No {@code /changes} entries are written (as if they had been pruned).
 */
final class DirectoryPrefill {

    /** The prefill's shards: registered only in ZooKeeper, at addresses that do not exist. */
    static final String[] SHARDS = {"prefill-1", "prefill-2", "prefill-3"};

    /** ZooKeeper's default limit on one packet (a node's data must fit in it), unless jute.maxbuffer says. */
    private static final int JUTE_MAXBUFFER_DEFAULT = 0xfffff;
    /** Bucket writes in flight at once. */
    static final int WINDOW = 64;

    /**
     * What was written.
     *
     * @param teams           teams placed
     * @param revision        the directory revision set (one per shard and team, as if each had been a change)
     * @param buckets         bucket nodes written
     * @param minTeams        fewest teams in a bucket node
     * @param maxTeams        most teams in a bucket node
     * @param maxBucketBytes  largest bucket node
     * @param totalBytes      all bucket nodes together
     * @param juteMaxBuffer   ZooKeeper's packet limit in force
     * @param seconds         time the prefill took
     */
    record Result(int teams, long revision, int buckets, int minTeams, int maxTeams, int maxBucketBytes,
                  long totalBytes, int juteMaxBuffer, double seconds) {
    }

    private DirectoryPrefill() {
    }

    /** The name of prefilled team {@code i}. */
    static String team(int i) {
        return "team-" + i;
    }

    /** The shard prefilled team {@code i} is placed on. */
    static String shardOf(int i) {
        return SHARDS[i % SHARDS.length];
    }

    static Result write(String zookeeper, String namespace, int teams) throws Exception {
        long start = System.nanoTime();
        int juteMax = Integer.getInteger("jute.maxbuffer", JUTE_MAXBUFFER_DEFAULT);
        try (CuratorFramework root = CuratorFrameworkFactory.newClient(zookeeper, new ExponentialBackoffRetry(100, 5))) {
            root.start();
            if (!root.blockUntilConnected(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("cannot reach ZooKeeper at " + zookeeper);
            }
            CuratorFramework zk = root.usingNamespace(namespace);
            new DirectoryStore(zk).ensureLayout();
            for (String id : SHARDS) {
                zk.create().forPath(ZkLayout.shardPath(id), Shard.newBuilder().setId(id)
                        .setPrimary(id + ".invalid:6379").setEpoch(1).setState(ShardState.SHARD_ACTIVE).setWeight(1)
                        .build().toByteArray());
            }
            // Teams grouped by bucket (a counting sort of their indexes), so each bucket is built,
            // written and dropped in turn instead of holding a million placements at once.
            int[] first = new int[ZkLayout.BUCKETS + 1];
            int[] bucketOf = new int[teams];
            for (int i = 0; i < teams; i++) {
                bucketOf[i] = ZkLayout.bucketOf(team(i));
                first[bucketOf[i] + 1]++;
            }
            for (int b = 0; b < ZkLayout.BUCKETS; b++) {
                first[b + 1] += first[b];
            }
            int[] next = java.util.Arrays.copyOf(first, ZkLayout.BUCKETS);
            int[] byBucket = new int[teams];
            for (int i = 0; i < teams; i++) {
                byBucket[next[bucketOf[i]]++] = i;
            }

            Semaphore window = new Semaphore(WINDOW);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            int written = 0;
            int minTeams = Integer.MAX_VALUE;
            int maxTeams = 0;
            int maxBytes = 0;
            long totalBytes = 0;
            CountDownLatch done = new CountDownLatch(ZkLayout.BUCKETS);
            for (int b = 0; b < ZkLayout.BUCKETS; b++) {
                int size = first[b + 1] - first[b];
                minTeams = Math.min(minTeams, size);
                maxTeams = Math.max(maxTeams, size);
                if (size == 0) {
                    done.countDown(); // the coordinator creates a bucket with its first team
                    continue;
                }
                TeamBucket.Builder bucket = TeamBucket.newBuilder();
                for (int k = first[b]; k < first[b + 1]; k++) {
                    int i = byBucket[k];
                    bucket.addTeams(TeamPlacement.newBuilder().setTeam(team(i)).setShardId(shardOf(i)).setEpoch(1)
                            .setState(TeamState.TEAM_ACTIVE));
                }
                byte[] data = bucket.build().toByteArray();
                // The node travels in one packet (its path and framing besides): keep a margin.
                if (data.length > juteMax - 1024) {
                    throw new IllegalStateException("bucket " + b + " holds " + size + " teams in " + data.length
                            + " bytes, over ZooKeeper's jute.maxbuffer (" + juteMax + ")");
                }
                maxBytes = Math.max(maxBytes, data.length);
                totalBytes += data.length;
                written++;
                window.acquire();
                if (failure.get() != null) {
                    break;
                }
                zk.create().inBackground((client, event) -> {
                    if (event.getResultCode() != KeeperException.Code.OK.intValue()) {
                        failure.compareAndSet(null, KeeperException.create(
                                KeeperException.Code.get(event.getResultCode()), event.getPath()));
                    }
                    window.release();
                    done.countDown();
                }).forPath(ZkLayout.bucketPath(b), data);
            }
            if (failure.get() == null && !done.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bucket writes still unanswered after 120 s");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("writing a bucket failed: " + failure.get(), failure.get());
            }
            long revision = SHARDS.length + (long) teams;
            zk.setData().forPath(ZkLayout.REVISION, ByteBuffer.allocate(Long.BYTES).putLong(revision).array());
            return new Result(teams, revision, written, minTeams, maxTeams, maxBytes, totalBytes, juteMax,
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
