package io.thoonk.it;

import io.lettuce.core.StreamMessage;
import io.thoonk.client.Durability;
import io.thoonk.client.Event;
import io.thoonk.client.EventType;
import io.thoonk.client.Feed;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Queue;
import io.thoonk.client.ReplicationUnavailableException;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The routing client rides a failover: writers and a subscriber keep going while the team's
 * primary is killed (SIGKILL) and its replica promoted BY HAND (REPLICAOF NO ONE, then the shard
 * record replaced in the directory with the replica as primary and the shard epoch + 1, as the
 * coordinator's promotion will do). No writer sees an error, every acknowledged write is on the new
 * primary exactly once, and the subscriber hears one gap-free, duplicate-free revision sequence.
 */
class FailoverRidingTest {

    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder().shards("s0")
            .replicasPerShard(1));

    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    LocalCluster cluster;
    RedisShard shard;
    Thoonk thoonk;

    @BeforeEach
    void start() {
        cluster = local.cluster();
        shard = cluster.shard("s0");
        thoonk = Thoonk.connectCluster(cluster.coordinators().addresses(),
                ThoonkOptions.builder().commandTimeout(COMMAND_TIMEOUT).build());
    }

    @AfterEach
    void stop() {
        thoonk.close();
    }

    /** Writers publishing (each publish a new id) and putting, until told to stop. */
    final class Writers {
        final AtomicBoolean stop = new AtomicBoolean();
        final Map<String, Long> published = new ConcurrentHashMap<>();
        final Set<String> put = ConcurrentHashMap.newKeySet();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final AtomicLong slowest = new AtomicLong();
        final CountDownLatch done;
        final List<Thread> threads = new ArrayList<>();

        Writers(int publishers, Feed feed, Queue queue) {
            done = new CountDownLatch(publishers + 1);
            for (int w = 0; w < publishers; w++) {
                int writer = w;
                threads.add(loop("publisher-" + w, n -> {
                    String id = "w" + writer + "-" + n;
                    published.put(id, feed.publish("item " + id, id).revision());
                }));
            }
            threads.add(loop("putter", n -> {
                queue.put("job-" + n);
                put.add("job-" + n);
            }));
            threads.forEach(Thread::start);
        }

        private Thread loop(String name, java.util.function.LongConsumer write) {
            return new Thread(() -> {
                try {
                    for (long n = 0; !stop.get(); n++) {
                        long start = System.nanoTime();
                        try {
                            write.accept(n);
                        } catch (RuntimeException e) {
                            errors.add(e);
                        }
                        slowest.accumulateAndGet(System.nanoTime() - start, Math::max);
                    }
                } finally {
                    done.countDown();
                }
            }, name);
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            assertThat(done.await(COMMAND_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS)).as("writers stopped").isTrue();
        }

        int count() {
            return published.size() + put.size();
        }
    }

    @Test
    void writers_and_a_subscriber_ride_a_primary_killed_and_a_replica_promoted_by_hand() throws Exception {
        thoonk.registry().create("team:7:events", ObjectType.FEED, Map.of("history_length", "1000000"));
        Feed feed = thoonk.feed("team:7:events");
        Queue queue = thoonk.queue("team:7:work");
        feed.publish("first", "first");
        List<Event> heard = java.util.Collections.synchronizedList(new ArrayList<>());
        Subscription sub = feed.subscribe(1, heard::add);

        Writers writers = new Writers(3, feed, queue);
        await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(10)).until(() -> writers.count() >= 500);

        RedisProcess oldPrimary = shard.primary();
        RedisProcess replica = shard.replicas().get(0);
        int before = writers.count();
        oldPrimary.kill();
        replica.call("REPLICAOF NO ONE");
        promoteInDirectory("s0", replica.address());

        await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(10))
                .until(() -> writers.count() >= before + 500);
        writers.stopAndJoin();
        long lastRevision = feed.publish("last", "last").revision();

        assertThat(writers.errors).as("errors seen by writers").isEmpty();
        assertThat(Duration.ofNanos(writers.slowest.get())).isLessThan(COMMAND_TIMEOUT);

        // every acknowledged publish is on the new primary exactly once: one history entry each, all publishes
        List<StreamMessage<String, String>> history = FaultCluster.history(replica, "team:7:events");
        List<String> ids = new ArrayList<>();
        for (StreamMessage<String, String> entry : history) {
            String[] fields = entry.getBody().get("e").split("\0", -1);
            assertThat(fields[1]).as("event of %s", entry.getId()).isEqualTo("publish");
            ids.add(fields[2]);
        }
        assertThat(ids).doesNotHaveDuplicates().containsAll(writers.published.keySet());
        assertThat(ids).hasSize(writers.published.size() + 2);
        writers.published.forEach((id, revision) ->
                assertThat(history.get(Math.toIntExact(revision - 1)).getId()).isEqualTo(revision + "-0"));
        assertThat(Long.parseLong(replica.call("HLEN feed.items:team:7:events"))).isEqualTo(ids.size());
        Set<String> queued = new HashSet<>(List.of(replica.call("HVALS feed.items:team:7:work").split("\n")));
        assertThat(queued).hasSize(writers.put.size()).containsAll(writers.put);

        // the subscriber heard revisions 1..last, each once, with the same ids as the history
        await().atMost(Duration.ofSeconds(10)).until(() -> sub.lastRevision("team:7:events") >= lastRevision);
        sub.close();
        assertThat(heard).extracting(Event::revision)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, lastRevision).boxed().toList());
        assertThat(heard).extracting(Event::type).containsOnly(EventType.PUBLISH);
        assertThat(heard.subList(0, ids.size())).extracting(Event::id).containsExactlyElementsOf(ids);

        // the new shard record names no replica: a write asking for replication is refused before writing
        assertThatThrownBy(() -> feed.withDurability(Durability.REPLICATED).publish("x", "refused"))
                .isInstanceOf(ReplicationUnavailableException.class).hasMessageContaining("s0");
        assertThat(replica.call("HGET feed.items:team:7:events refused")).isNull();
    }

    /**
     * Replaces shard {@code id}'s record in the directory: {@code primary} as its primary, no
     * replica, the shard epoch + 1, degraded (its only replica is now its primary), as a
     * coordinator's promotion does.
     */
    void promoteInDirectory(String id, String primary) throws Exception {
        try (CuratorFramework zk = CuratorFrameworkFactory.newClient(cluster.zookeeper().connectString(),
                new RetryOneTime(100))) {
            zk.start();
            DirectoryStore store = new DirectoryStore(zk.usingNamespace(cluster.namespace()));
            Shard old = store.load().shards().get(id);
            store.putShard(old.toBuilder().setPrimary(primary).clearReplicas().setEpoch(old.getEpoch() + 1)
                    .setState(ShardState.SHARD_DEGRADED).setStateReason("promoted by hand; no replica left").build(),
                    false);
        }
    }
}
