package io.thoonk.coordinator.directory;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.proto.v1.DirectoryChange;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every coordinator's in-memory copy of the directory, kept current from ZooKeeper: it watches
 * {@code /revision} and applies the logged changes in revision order. Resolve, Watch and
 * ListShards are answered from here, so they keep working while ZooKeeper is away.
 *
 * <p><b>Reads.</b> The directory is published as one immutable {@link DirectoryView} per applied
 * step (a batch of logged changes, or a whole reload), swapped in through a volatile field:
 * {@link #view()} is one volatile read, never blocks, and a reader sees either the previous view or
 * the next one whole, never a change half-applied or a reload half-done.
 *
 * <p><b>Writes.</b> Only one thread applies at a time (the cache's lock): the ZooKeeper watch
 * schedules a catch-up on the coordinator's scheduler, and {@link #awaitRevision} catches up on the
 * caller's thread, so no caller ever waits for a task queued behind it. A catch-up that fails (for
 * instance while ZooKeeper is away) is retried with a growing delay and logged at most every
 * {@link #FAILURE_LOG_INTERVAL}.
 *
 * <p><b>Listeners</b> are called on the applying thread, in revision order, never concurrently,
 * while the cache's lock is held and after the view holding the change is published: they must
 * only hand the change on (e.g. to a stream's queue).
 */
public final class DirectoryCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DirectoryCache.class);

    /** Changes kept in memory for Watch resumption. */
    public static final int RECENT_KEPT = 10_000;

    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(30);
    private static final long FIRST_RETRY_MS = 100;
    private static final long MAX_RETRY_MS = 5_000;

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
    private final ScheduledExecutorService scheduler;
    private final RateLimitedLog followFailures;
    private final AtomicBoolean catchUpQueued = new AtomicBoolean();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile DirectoryView view = DirectoryView.EMPTY;
    private volatile boolean closed;
    // guarded by this
    private final ArrayDeque<DirectoryChange> recent = new ArrayDeque<>();
    private long oldestAvailable;
    private long retryDelayMs;
    private volatile CuratorCache revisionWatch;

    /**
     * @param store     the directory in ZooKeeper
     * @param zk        the namespaced Curator client the store uses (to watch {@code /revision})
     * @param scheduler runs catch-ups and their retries; shared, never blocked waiting for itself
     * @param clock     times the rate limit of failure warnings
     */
    public DirectoryCache(DirectoryStore store, CuratorFramework zk, ScheduledExecutorService scheduler, Clock clock) {
        this.store = store;
        this.zk = zk;
        this.scheduler = scheduler;
        this.followFailures = new RateLimitedLog(log, clock, FAILURE_LOG_INTERVAL);
    }

    /** Loads the whole directory and starts following it; returns once loaded. */
    public void start() throws Exception {
        synchronized (this) {
            reload();
        }
        revisionWatch = CuratorCache.build(zk, ZkLayout.REVISION, CuratorCache.Options.SINGLE_NODE_CACHE);
        revisionWatch.listenable().addListener((type, oldData, data) -> requestCatchUp());
        revisionWatch.start();
        catchUp();
    }

    /** The directory as of the latest applied revision; never blocks. */
    public DirectoryView view() {
        return view;
    }

    /** The directory revision this cache has applied. */
    public long revision() {
        return view.revision();
    }

    /** Schedules a catch-up unless one is already waiting to run. */
    private void requestCatchUp() {
        if (closed || !catchUpQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(this::follow);
        } catch (RejectedExecutionException shuttingDown) {
            catchUpQueued.set(false);
        }
    }

    private synchronized void follow() {
        catchUpQueued.set(false);
        if (closed) {
            return;
        }
        try {
            catchUp();
            retryDelayMs = 0;
            followFailures.reset();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (closed) {
                return;
            }
            retryDelayMs = retryDelayMs == 0 ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, retryDelayMs * 2);
            followFailures.warn("could not follow the directory in ZooKeeper at revision " + view.revision() + " ("
                    + e + "); retrying every " + retryDelayMs + " ms at most");
            try {
                scheduler.schedule(this::requestCatchUp, retryDelayMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                // closing: nothing to follow any more
            }
        }
    }

    /**
     * Brings this cache up to the revision ZooKeeper holds now, on the calling thread: applies the
     * logged changes since the cache's revision as one new view, or reloads everything if some of
     * them are no longer logged.
     */
    public synchronized void catchUp() throws Exception {
        if (closed) {
            throw shuttingDown();
        }
        long target = store.readRevision();
        DirectoryView current = view;
        if (target <= current.revision()) {
            return;
        }
        Optional<List<DirectoryChange>> changes = store.changes(current.revision() + 1, target);
        if (changes.isEmpty()) {
            log.warn("directory changes {}..{} are no longer logged; reloading the whole directory",
                    current.revision() + 1, target);
            reload();
            return;
        }
        publish(current.apply(changes.get()));
        for (DirectoryChange change : changes.get()) {
            if (change.getChangeCase() == DirectoryChange.ChangeCase.CHANGE_NOT_SET) {
                log.warn("ignoring a directory change of unknown kind at revision {}", change.getRevision());
            }
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
    }

    // holds this
    private void reload() throws Exception {
        DirectoryView loaded = DirectoryView.of(store.load());
        recent.clear();
        oldestAvailable = loaded.revision() + 1;
        publish(loaded);
        for (Listener l : listeners) {
            l.onReload(loaded.revision());
        }
    }

    // holds this
    private void publish(DirectoryView next) {
        view = next;
        notifyAll();
    }

    /**
     * Returns once this cache holds revision {@code atLeast} (after a write): catches up on the
     * calling thread, then waits for the watch to bring the rest (a ZooKeeper server may lag the
     * one that took the write). Throws DEADLINE_EXCEEDED naming the revision if it does not come
     * within {@code timeout}.
     */
    public void awaitRevision(long atLeast, Duration timeout) throws Exception {
        if (view.revision() >= atLeast) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        catchUp();
        synchronized (this) {
            while (view.revision() < atLeast) {
                if (closed) {
                    throw shuttingDown();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new CoordinatorException(CoordinatorException.Reason.DEADLINE_EXCEEDED,
                            "this coordinator's directory did not reach revision " + atLeast + " within "
                                    + timeout.toMillis() + " ms (it holds revision " + view.revision() + "); retry");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    private static CoordinatorException shuttingDown() {
        return new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                "this coordinator is shutting down; use another one");
    }

    /**
     * Registers {@code listener} for changes from {@code fromRevision} on (0 = from now) and returns
     * the backlog it must send first; atomically, so no change is missed or sent twice.
     */
    public synchronized WatchStart watch(long fromRevision, Listener listener) {
        long revision = view.revision();
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

    /**
     * Stops following ZooKeeper; idempotent, and does not wait for a catch-up in progress (it fails
     * once the coordinator's Curator client closes). Callers in {@link #awaitRevision} fail by their
     * deadline at the latest.
     */
    @Override
    public void close() {
        closed = true;
        CuratorCache watch = revisionWatch;
        if (watch != null) {
            watch.close();
        }
    }
}
