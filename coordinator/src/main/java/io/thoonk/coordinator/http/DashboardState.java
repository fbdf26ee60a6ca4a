package io.thoonk.coordinator.http;

import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.directory.FailoverHistory;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Takes the dashboard's {@link Snapshot}s from what the coordinator already holds: its directory
 * view, the coordinators' shared node health, the moves it runs, the failover records it caches,
 * and the move intents and history in ZooKeeper (read at most every {@link #ZOOKEEPER_READ_INTERVAL},
 * never per event).
 *
 * <p>It also keeps a ring of the last {@link #TIMELINE_KEPT} primary changes the directory cache
 * applies (a shard whose epoch went up with another primary, or that became FAILED), so the
 * timeline shows a failover the moment this coordinator applies it, before its failover record is
 * cached, and on a coordinator whose records were pruned.
 *
 * <p>Threading: {@link #take} runs on one thread at a time (the server's publisher); the cache and
 * health listeners only record the change and call the {@code changed} callback, which must not block.
 */
final class DashboardState implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DashboardState.class);

    /** Timeline entries kept and shown. */
    static final int TIMELINE_KEPT = 100;
    /** How often the move intents and history are read from ZooKeeper, at most. */
    static final Duration ZOOKEEPER_READ_INTERVAL = Duration.ofSeconds(3);

    private final CoordinatorHttpServer.Sources sources;
    private final Runnable changed;
    private final DirectoryCache.Listener cacheListener;
    private volatile boolean closed;
    // guarded by itself
    private final ArrayDeque<Snapshot.TimelineEntry> primaryChanges = new ArrayDeque<>();
    // touched only by the cache's applying thread (its listener calls never overlap)
    private final Map<String, Shard> lastSeen = new HashMap<>();
    // touched only by the thread calling take()
    private long zookeeperReadAt = Long.MIN_VALUE;
    private List<MoveProgress> intents = List.of();
    private List<MoveProgress> history = List.of();

    /** Starts following the directory and node health; {@code changed} is called after each change. */
    DashboardState(CoordinatorHttpServer.Sources sources, Runnable changed) {
        this.sources = sources;
        this.changed = changed;
        for (Shard s : sources.cache().view().shards()) {
            lastSeen.put(s.getId(), s);
        }
        this.cacheListener = new DirectoryCache.Listener() {
            @Override
            public void onChange(DirectoryChange change) {
                if (change.hasShard()) {
                    observe(change.getShard());
                } else if (change.getChangeCase() == DirectoryChange.ChangeCase.REMOVED_SHARD_ID) {
                    lastSeen.remove(change.getRemovedShardId());
                }
                notifyChanged();
            }

            @Override
            public void onReload(long currentRevision) {
                notifyChanged();
            }
        };
        sources.cache().watch(0, cacheListener);
        sources.health().addListener(node -> notifyChanged());
    }

    private void notifyChanged() {
        if (!closed) {
            changed.run();
        }
    }

    /** A shard record the cache applied: a new primary at a higher epoch, or FAILED, is a failover. */
    private void observe(Shard next) {
        Shard before = lastSeen.put(next.getId(), next);
        if (before == null || next.getEpoch() <= before.getEpoch()) {
            return;
        }
        boolean newPrimary = !next.getPrimary().equals(before.getPrimary());
        boolean failed = next.getState() == ShardState.SHARD_FAILED && before.getState() != ShardState.SHARD_FAILED;
        if (!newPrimary && !failed) {
            return;
        }
        String to = failed ? "" : next.getPrimary();
        Snapshot.TimelineEntry entry = new Snapshot.TimelineEntry("failover", sources.clock().millis(), next.getId(),
                before.getPrimary(), to, "", failed ? "no replica to promote: " + next.getStateReason() : "promoted",
                next.getEpoch());
        synchronized (primaryChanges) {
            primaryChanges.addFirst(entry);
            while (primaryChanges.size() > TIMELINE_KEPT) {
                primaryChanges.removeLast();
            }
        }
    }

    /** The dashboard as of now. Reads ZooKeeper at most every {@link #ZOOKEEPER_READ_INTERVAL}. */
    Snapshot take() {
        long now = sources.clock().millis();
        refreshFromZooKeeper(now);
        DirectoryView view = sources.cache().view();
        List<Snapshot.ShardInfo> shards = new ArrayList<>();
        for (Shard s : view.shards()) {
            shards.add(shard(s, view.teamCount(s.getId())));
        }
        Map<String, MoveProgress> running = new LinkedHashMap<>();
        for (MoveProgress p : intents) {
            running.put(p.getTeam(), p);
        }
        for (MoveProgress p : sources.mover().active()) {
            running.put(p.getTeam(), p); // this coordinator runs it: fresher than the intent
        }
        List<Snapshot.MoveInfo> moves = running.values().stream()
                .filter(p -> !finished(p.getPhase()))
                .sorted(Comparator.comparingLong(MoveProgress::getStartedAtMillis))
                .map(DashboardState::move).toList();
        return new Snapshot(new Snapshot.CoordinatorInfo(sources.coordinatorId().get(), sources.leader().getAsBoolean(),
                view.revision()), now, List.copyOf(shards), moves, timeline(running.values()));
    }

    private void refreshFromZooKeeper(long now) {
        if (zookeeperReadAt != Long.MIN_VALUE && now - zookeeperReadAt < ZOOKEEPER_READ_INTERVAL.toMillis()) {
            return;
        }
        zookeeperReadAt = now;
        try {
            List<MoveProgress> read = new ArrayList<>();
            for (DirectoryStore.Versioned<MoveProgress> v : sources.store().moves()) {
                read.add(v.value());
            }
            intents = List.copyOf(read);
            history = List.copyOf(sources.store().moveHistory());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // keep showing the last moves read; the directory part stays live from the cache
            log.debug("dashboard: cannot read the moves from ZooKeeper: {}", e.toString());
        }
    }

    private Snapshot.ShardInfo shard(Shard s, long teams) {
        Snapshot.NodeInfo primary = node(s.getPrimary(), -1);
        List<Snapshot.NodeInfo> replicas = new ArrayList<>();
        for (String r : s.getReplicasList()) {
            replicas.add(node(r, primary.offset()));
        }
        return new Snapshot.ShardInfo(s.getId(), stateName(s.getState()), s.getStateReason(), s.getDraining(),
                s.getEpoch(), s.getWeight(), teams, primary, List.copyOf(replicas));
    }

    /** A node from the coordinators' latest reports; {@code primaryOffset} >= 0 gives a replica its lag. */
    private Snapshot.NodeInfo node(String address, long primaryOffset) {
        Map<String, NodeReport> reports = address.isEmpty() ? Map.of() : sources.health().reports(address);
        int reachable = 0;
        NodeReport freshest = null;
        for (NodeReport r : reports.values()) {
            if (r.reachable()) {
                reachable++;
                if (freshest == null || r.probedAtMillis() > freshest.probedAtMillis()) {
                    freshest = r;
                }
            }
        }
        String health = reports.isEmpty() ? "unknown" : reachable * 2 > reports.size() ? "up" : "down";
        long offset = freshest == null ? -1 : freshest.replicationOffset();
        long lag = primaryOffset >= 0 && offset >= 0 ? Math.max(0, primaryOffset - offset) : -1;
        return new Snapshot.NodeInfo(address, health, freshest == null ? "" : freshest.role(), offset, lag, reachable,
                reports.size());
    }

    private List<Snapshot.TimelineEntry> timeline(Iterable<MoveProgress> running) {
        List<Snapshot.TimelineEntry> entries = new ArrayList<>();
        Set<String> failoversRecorded = new HashSet<>();
        for (FailoverRecord r : sources.failovers().recent()) {
            failoversRecorded.add(r.getShardId() + "@" + r.getEpoch());
            entries.add(new Snapshot.TimelineEntry("failover", r.getStartedAtMillis() + r.getPublishedMillis(),
                    r.getShardId(), r.getOldPrimary(), r.getNewPrimary(), "",
                    kindName(r) + ": " + r.getOutcome(), r.getEpoch()));
        }
        synchronized (primaryChanges) {
            for (Snapshot.TimelineEntry e : primaryChanges) {
                if (!failoversRecorded.contains(e.shard() + "@" + e.epoch())) {
                    entries.add(e);
                }
            }
        }
        Set<String> movesListed = new HashSet<>();
        for (MoveProgress p : running) {
            if (movesListed.add(p.getMoveId())) {
                entries.add(moveEntry(p));
            }
        }
        for (MoveProgress p : history) {
            if (movesListed.add(p.getMoveId())) {
                entries.add(moveEntry(p));
            }
        }
        entries.sort(Comparator.comparingLong(Snapshot.TimelineEntry::atMillis).reversed());
        return List.copyOf(entries.subList(0, Math.min(entries.size(), TIMELINE_KEPT)));
    }

    private static String kindName(FailoverRecord r) {
        return switch (r.getKind()) {
            case FAILOVER_PLANNED -> "planned";
            case FAILOVER_AUTOMATIC -> "automatic";
            default -> "failover";
        };
    }

    private static Snapshot.TimelineEntry moveEntry(MoveProgress p) {
        String detail = phaseName(p.getPhase()) + (p.getOutcome().isEmpty() ? "" : ": " + p.getOutcome());
        return new Snapshot.TimelineEntry("move", p.getStartedAtMillis(), p.getSourceShardId(), p.getSourceShardId(),
                p.getTargetShardId(), p.getTeam(), detail, p.getEpoch());
    }

    private static Snapshot.MoveInfo move(MoveProgress p) {
        int percent = p.getObjectsTotal() <= 0 ? 0
                : (int) Math.min(100, p.getObjectsCopied() * 100 / p.getObjectsTotal());
        return new Snapshot.MoveInfo(p.getTeam(), p.getSourceShardId(), p.getTargetShardId(), phaseName(p.getPhase()),
                p.getObjectsTotal(), p.getObjectsCopied(), p.getBytesCopied(), p.getElapsedMillis(), p.getEtaMillis(),
                percent, p.getStartedAtMillis());
    }

    private static boolean finished(MovePhase phase) {
        return phase == MovePhase.MOVE_DONE || phase == MovePhase.MOVE_CANCELLED || phase == MovePhase.MOVE_ROLLED_BACK;
    }

    private static String phaseName(MovePhase phase) {
        return phase.name().startsWith("MOVE_") ? phase.name().substring(5) : phase.name();
    }

    private static String stateName(ShardState state) {
        return state.name().startsWith("SHARD_") ? state.name().substring(6) : state.name();
    }

    /** Stops following the directory; idempotent. (Health listeners cannot be removed: they are ignored.) */
    @Override
    public void close() {
        closed = true;
        sources.cache().unwatch(cacheListener);
    }
}
