package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every coordinator's in-memory copy of the directory, kept current from ZooKeeper: it watches
 * {@code /revision} and applies the logged changes in revision order on one thread. Resolve, Watch
 * and ListShards are answered from here, so they keep working while ZooKeeper is away.
 *
 * <p>Listeners are called on the applying thread, in revision order, never concurrently, while the
 * cache's lock is held: they must only hand the change on (e.g. to a stream's queue).
 */
public final class DirectoryCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectoryCache.class);

    /** Changes kept in memory for Watch resumption. */
    public static final int RECENT_KEPT = 10_000;

    /** Receives directory changes after they are applied. */
    public interface Listener {
        void onChange(DirectoryChange change);

        /** The cache had to reload everything; the listener's view can no longer be continued. */
        void onReload(long currentRevision);
    }

    /** What a new watcher gets: the changes it missed, or the news that they are gone. */
    public record WatchStart(List<DirectoryChange> backlog, boolean reloadRequired, long oldestAvailable,
                             long currentRevision) {
    }

    private final DirectoryStore store;
    private final CuratorFramework zk;
    private final Map<String, TeamPlacement> teams = new ConcurrentHashMap<>(1 << 16);
    private final Map<String, Shard> shards = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> teamCounts = new ConcurrentHashMap<>();
    private final ArrayDeque<DirectoryChange> recent = new ArrayDeque<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService applier;
    private volatile long revision;
    private long oldestAvailable;
    private CuratorCache revisionWatch;

    public DirectoryCache(DirectoryStore store, CuratorFramework zk) {
        this.store = store;
        this.zk = zk;
        this.applier = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "directory-applier");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads the directory and starts following it. */
    public void start() throws Exception {
        reload();
        revisionWatch = CuratorCache.build(zk, ZkLayout.REVISION, CuratorCache.Options.SINGLE_NODE_CACHE);
        revisionWatch.listenable().addListener((type, oldData, data) -> applier.execute(this::catchUpQuietly));
        revisionWatch.start();
        applier.submit(this::catchUpQuietly).get();
    }

    private synchronized void reload() throws Exception {
        DirectorySnapshot snapshot = store.load();
        teams.clear();
        shards.clear();
        teamCounts.clear();
        recent.clear();
        shards.putAll(snapshot.shards());
        snapshot.shards().keySet().forEach(id -> teamCounts.put(id, new AtomicLong()));
        for (TeamPlacement t : snapshot.teams()) {
            teams.put(t.getTeam(), t);
            teamCounts.computeIfAbsent(t.getShardId(), k -> new AtomicLong()).incrementAndGet();
        }
        revision = snapshot.revision();
        oldestAvailable = revision + 1;
        for (Listener l : listeners) {
            l.onReload(revision);
        }
    }

    private void catchUpQuietly() {
        try {
            catchUp();
        } catch (Exception e) {
            log.warn("could not follow the directory in ZooKeeper (will retry on the next change): {}", e.toString());
        }
    }

    private void catchUp() throws Exception {
        long target = store.readRevision();
        if (target <= revision) {
            return;
        }
        Optional<List<DirectoryChange>> changes = store.changes(revision + 1, target);
        if (changes.isEmpty()) {
            log.warn("directory changes {}..{} are no longer logged; reloading the whole directory", revision + 1, target);
            reload();
            return;
        }
        for (DirectoryChange change : changes.get()) {
            apply(change);
        }
    }

    private synchronized void apply(DirectoryChange change) {
        if (change.getRevision() <= revision) {
            return;
        }
        switch (change.getChangeCase()) {
            case SHARD -> {
                shards.put(change.getShard().getId(), change.getShard());
                teamCounts.computeIfAbsent(change.getShard().getId(), k -> new AtomicLong());
            }
            case REMOVED_SHARD_ID -> {
                shards.remove(change.getRemovedShardId());
                teamCounts.remove(change.getRemovedShardId());
            }
            case TEAM -> {
                TeamPlacement next = change.getTeam();
                TeamPlacement previous = teams.put(next.getTeam(), next);
                if (previous == null || !previous.getShardId().equals(next.getShardId())) {
                    if (previous != null) {
                        teamCounts.computeIfAbsent(previous.getShardId(), k -> new AtomicLong()).decrementAndGet();
                    }
                    teamCounts.computeIfAbsent(next.getShardId(), k -> new AtomicLong()).incrementAndGet();
                }
            }
            default -> log.warn("ignoring a directory change of unknown kind at revision {}", change.getRevision());
        }
        revision = change.getRevision();
        recent.addLast(change);
        if (recent.size() > RECENT_KEPT) {
            oldestAvailable = recent.removeFirst().getRevision() + 1;
        }
        for (Listener l : listeners) {
            try {
                l.onChange(change);
            } catch (RuntimeException e) {
                log.warn("directory listener failed", e);
            }
        }
    }

    /** Waits until the cache holds revision {@code atLeast} (after a write), pulling it if needed. */
    public void awaitRevision(long atLeast, Duration timeout) throws Exception {
        if (revision >= atLeast) {
            return;
        }
        applier.submit(() -> {
            catchUp();
            return null;
        }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Registers {@code listener} for changes from {@code fromRevision} on (0 = from now) and returns
     * the backlog it must send first; atomically, so no change is missed or sent twice.
     */
    public synchronized WatchStart watch(long fromRevision, Listener listener) {
        long from = fromRevision <= 0 ? revision + 1 : fromRevision;
        if (from < oldestAvailable) {
            return new WatchStart(List.of(), true, oldestAvailable, revision);
        }
        List<DirectoryChange> backlog = new ArrayList<>();
        for (DirectoryChange c : recent) {
            if (c.getRevision() >= from) {
                backlog.add(c);
            }
        }
        listeners.add(listener);
        return new WatchStart(backlog, false, oldestAvailable, revision);
    }

    public void unwatch(Listener listener) {
        listeners.remove(listener);
    }

    public long revision() {
        return revision;
    }

    public Optional<TeamPlacement> team(String team) {
        return Optional.ofNullable(teams.get(team));
    }

    public Optional<Shard> shard(String id) {
        return Optional.ofNullable(shards.get(id));
    }

    /** Shards with their current team counts filled in. */
    public List<Shard> shards() {
        return shards.values().stream()
                .map(s -> s.toBuilder().setTeamCount(teamCount(s.getId())).build())
                .sorted(java.util.Comparator.comparing(Shard::getId)).toList();
    }

    public long teamCount(String shardId) {
        AtomicLong n = teamCounts.get(shardId);
        return n == null ? 0 : n.get();
    }

    public long teamCount() {
        return teams.size();
    }

    @Override
    public void close() {
        if (revisionWatch != null) {
            revisionWatch.close();
        }
        applier.shutdownNow();
        try {
            applier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
