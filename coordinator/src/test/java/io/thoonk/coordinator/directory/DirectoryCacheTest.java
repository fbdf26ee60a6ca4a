package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import io.thoonk.testing.ZooKeeperExtension;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The directory cache against a real ZooKeeper: what concurrent readers can and cannot see. */
class DirectoryCacheTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static final AtomicInteger namespaces = new AtomicInteger();

    final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    CuratorFramework root;
    CuratorFramework zk;
    DirectoryStore store;
    DirectoryCache cache;

    @BeforeEach
    void connect() throws Exception {
        root = CuratorFrameworkFactory.newClient(zookeeper.connectString(), new RetryOneTime(100));
        root.start();
        zk = root.usingNamespace("cache-test-" + namespaces.incrementAndGet());
        store = new DirectoryStore(zk);
        store.ensureLayout();
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
        root.close();
        scheduler.shutdownNow();
    }

    static TeamPlacement placement(String team, String shard) {
        return TeamPlacement.newBuilder().setTeam(team).setShardId(shard).setEpoch(1).setState(TeamState.TEAM_ACTIVE)
                .build();
    }

    /** Places {@code count} teams named {@code prefix-i}, in logged changes of 500 at a time. */
    List<String> place(String prefix, int count) throws Exception {
        List<String> names = new ArrayList<>();
        for (int from = 0; from < count; from += 500) {
            Map<String, TeamPlacement> batch = new LinkedHashMap<>();
            for (int i = from; i < Math.min(count, from + 500); i++) {
                String team = prefix + "-" + i;
                batch.put(team, placement(team, "s" + (i % 3)));
                names.add(team);
            }
            store.placeTeams(batch);
        }
        return names;
    }

    /**
     * Moves {@code /revision} on by one without logging a change, as if the log had been pruned
     * past it: a cache that follows the directory must reload it whole.
     */
    void bumpRevisionWithoutLog() throws Exception {
        Stat stat = new Stat();
        long revision = ByteBuffer.wrap(zk.getData().storingStatIn(stat).forPath(ZkLayout.REVISION)).getLong();
        zk.setData().withVersion(stat.getVersion()).forPath(ZkLayout.REVISION,
                ByteBuffer.allocate(Long.BYTES).putLong(revision + 1).array());
    }

    @Test
    void readers_never_see_a_team_missing_while_the_cache_reloads_the_whole_directory() throws Exception {
        List<String> placed = new ArrayList<>(place("early", 5_000));
        cache = new DirectoryCache(store, zk, scheduler, Clock.systemUTC());
        cache.start();

        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> missing = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> inconsistent = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        List<String> visible = new java.util.concurrent.CopyOnWriteArrayList<>(placed);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Thread reader = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    String team = visible.get(random.nextInt(visible.size()));
                    DirectoryView view = cache.view();
                    if (view.team(team).isEmpty() && missing.size() < 20) {
                        missing.add(team + " at revision " + view.revision());
                    }
                    long perShard = view.teamCount("s0") + view.teamCount("s1") + view.teamCount("s2");
                    if (perShard != view.teamCount() && inconsistent.size() < 20) {
                        inconsistent.add(perShard + " teams on shards, " + view.teamCount() + " in all at revision "
                                + view.revision());
                    }
                    reads.incrementAndGet();
                }
            }, "reader-" + r);
            reader.start();
            readers.add(reader);
        }
        try {
            for (int round = 0; round < 8; round++) {
                List<String> more = place("round" + round, 50);
                bumpRevisionWithoutLog();
                long target = store.readRevision();
                await().atMost(Duration.ofSeconds(20)).until(() -> cache.revision() >= target);
                visible.addAll(more);
            }
        } finally {
            stop.set(true);
            for (Thread reader : readers) {
                reader.join(10_000);
            }
        }
        assertThat(reads.get()).isGreaterThan(1000);
        assertThat(missing).as("teams a reader did not find although they were placed before").isEmpty();
        assertThat(inconsistent).as("views whose counts disagree").isEmpty();
        DirectoryView last = cache.view();
        for (String team : visible) {
            assertThat(last.team(team)).isPresent();
        }
        assertThat(last.teamCount()).isEqualTo(visible.size());
    }
}
