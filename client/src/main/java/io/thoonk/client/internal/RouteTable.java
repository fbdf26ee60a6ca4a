package io.thoonk.client.internal;

import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The route table of a cluster client: what it knows of the directory (the shards, the placements
 * of the teams it used, the directory revision it has applied) and each cached team's route.
 *
 * <p>Readers never lock: {@link #cached} is one map read. Writers (Resolve answers, Watch changes,
 * reloads) are serialized by the table's lock. The shards and the revision are one immutable
 * {@link Snapshot} swapped whole; a team's entry is an immutable {@link TeamRoute} replaced whole;
 * a reload swaps in a new team map instead of clearing the old one, so a reader sees either the
 * old state or the new one, and a Resolve answered before a reload cannot slip into the new one.
 *
 * <p>Every update says what it {@link Changed changed}, for the router to tell its listeners
 * (outside the lock), and closes the pool's connections to primaries no shard has any more.
 */
final class RouteTable {

    /** The shards known and the directory revision applied, as one value. */
    record Snapshot(long revision, Map<String, Shard> shards) {
        Snapshot {
            shards = Map.copyOf(shards);
        }

        Set<String> primaries() {
            return shards.values().stream().map(Shard::getPrimary).collect(Collectors.toUnmodifiableSet());
        }
    }

    /** A cached team: its placement, the directory revision it is as of, and its route. */
    record TeamRoute(TeamPlacement placement, long revision, CompletableFuture<Route> route) {
    }

    /** What an update changed: shards added, removed or with a changed record (e.g. a new primary), and teams re-placed. */
    record Changed(Set<String> shards, Set<String> teams) {
        static final Changed NOTHING = new Changed(Set.of(), Set.of());

        Changed {
            shards = Set.copyOf(shards);
            teams = Set.copyOf(teams);
        }

        Changed and(Changed other) {
            Set<String> s = new HashSet<>(shards);
            s.addAll(other.shards);
            Set<String> t = new HashSet<>(teams);
            t.addAll(other.teams);
            return new Changed(s, t);
        }
    }

    /** A Resolve answer's route, and what learning it changed. */
    record Learned(CompletableFuture<Route> route, Changed changed) {
    }

    private final ShardPool pool;
    private volatile Snapshot snapshot = new Snapshot(0, Map.of());
    private volatile ConcurrentHashMap<String, TeamRoute> teams = new ConcurrentHashMap<>();

    RouteTable(ShardPool pool) {
        this.pool = pool;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    /** The cached route of {@code team}, or null when the team must be resolved. */
    CompletableFuture<Route> cached(String team) {
        TeamRoute t = teams.get(team);
        if (t == null) {
            return null;
        }
        CompletableFuture<Route> route = t.route();
        return route.isCompletedExceptionally() ? reconnect(team, t) : route;
    }

    /** The team's shard could not be connected: try again with the same placement. */
    private synchronized CompletableFuture<Route> reconnect(String team, TeamRoute failed) {
        TeamRoute now = teams.get(team);
        if (now != failed) {
            return now == null ? null : now.route();
        }
        Shard shard = snapshot.shards().get(failed.placement().getShardId());
        if (shard == null) {
            teams.remove(team);
            return null;
        }
        TeamRoute fresh = routeOf(failed.placement(), failed.revision(), shard);
        teams.put(team, fresh);
        return fresh.route();
    }

    /** Forgets the team, so its next use resolves it again. */
    synchronized void forget(String team) {
        teams.remove(team);
    }

    /**
     * Starts over from a full shard list (at start, and when the coordinator says the client must
     * reload): the shards are replaced, every cached team is forgotten (and reported changed, so
     * subscriptions check where their team is now), and watching resumes after the list's revision.
     */
    synchronized Changed reset(ListShardsResponse list) {
        Map<String, Shard> shards = new HashMap<>();
        list.getShardsList().forEach(s -> shards.put(s.getId(), s));
        Snapshot before = snapshot;
        Set<String> forgotten = Set.copyOf(teams.keySet());
        snapshot = new Snapshot(list.getDirectoryRevision(), shards);
        teams = new ConcurrentHashMap<>();
        pool.retain(snapshot.primaries());
        Set<String> changedShards = new HashSet<>();
        before.shards().forEach((id, s) -> {
            Shard now = shards.get(id);
            if (!sameForClients(s, now)) {
                changedShards.add(id);
            }
        });
        shards.keySet().stream().filter(id -> !before.shards().containsKey(id)).forEach(changedShards::add);
        return new Changed(changedShards, forgotten);
    }

    /**
     * A Resolve answer: the route to use now. Cached unless the answer is older than what the
     * table has applied (then the Watch may already have passed a change of that team, and the
     * next use asks again). A shard in the answer newer than the table's (higher epoch) is taken.
     */
    synchronized Learned learn(ResolveResponse answer) {
        TeamPlacement placement = answer.getPlacement();
        Changed changed = Changed.NOTHING;
        Shard shard = snapshot.shards().get(placement.getShardId());
        if (answer.hasShard() && answer.getShard().getId().equals(placement.getShardId())
                && (shard == null || answer.getShard().getEpoch() > shard.getEpoch())) {
            changed = putShard(answer.getShard());
            shard = answer.getShard();
        }
        if (shard == null) {
            return new Learned(CompletableFuture.failedFuture(new ThoonkConnectionException("team '"
                    + placement.getTeam() + "' is on shard '" + placement.getShardId()
                    + "', which this client does not know yet", null)), changed);
        }
        TeamRoute fresh = routeOf(placement, answer.getDirectoryRevision(), shard);
        if (answer.getDirectoryRevision() < snapshot.revision()) {
            return new Learned(fresh.route(), changed);
        }
        TeamRoute existing = teams.get(placement.getTeam());
        if (existing != null && existing.revision() >= fresh.revision()) {
            return new Learned(existing.route(), changed);
        }
        teams.put(placement.getTeam(), fresh);
        return new Learned(fresh.route(), changed);
    }

    /** One change from the Watch stream, in revision order; older revisions are ignored. */
    synchronized Changed apply(DirectoryChange change) {
        if (change.getRevision() <= snapshot.revision()) {
            return Changed.NOTHING;
        }
        Changed changed = switch (change.getChangeCase()) {
            case SHARD -> putShard(change.getShard());
            case REMOVED_SHARD_ID -> removeShard(change.getRemovedShardId());
            case TEAM -> placeTeam(change.getTeam(), change.getRevision());
            default -> Changed.NOTHING;
        };
        snapshot = new Snapshot(change.getRevision(), snapshot.shards());
        return changed;
    }

    /**
     * A shard record added or replaced. When it replaces one that differs (a new primary after a
     * failover, replicas lost or back, a state change), the routes of its teams are rebuilt (they
     * carry what the record says of replicas), and the shard is reported changed: calls waiting
     * for a new route retry, subscriptions check where they are. A new primary's old connections
     * are closed only after the routes lead elsewhere, so nothing queued there is sent later.
     */
    private Changed putShard(Shard shard) {
        Map<String, Shard> shards = new HashMap<>(snapshot.shards());
        Shard previous = shards.put(shard.getId(), shard);
        snapshot = new Snapshot(snapshot.revision(), shards);
        if (sameForClients(previous, shard)) {
            return Changed.NOTHING;
        }
        if (previous != null) {
            teams.forEach((team, t) -> {
                if (t.placement().getShardId().equals(shard.getId())) {
                    teams.put(team, routeOf(t.placement(), t.revision(), shard));
                }
            });
            if (!previous.getPrimary().equals(shard.getPrimary())) {
                pool.retain(snapshot.primaries());
            }
        }
        return new Changed(Set.of(shard.getId()), Set.of());
    }

    /**
     * Whether two records of a shard route alike: same primary, replicas, state and epoch (a
     * weight or team count is not the clients' business).
     */
    static boolean sameForClients(Shard a, Shard b) {
        return a != null && b != null && a.getPrimary().equals(b.getPrimary())
                && a.getReplicasList().equals(b.getReplicasList()) && a.getState() == b.getState()
                && a.getEpoch() == b.getEpoch();
    }

    private Changed removeShard(String id) {
        Map<String, Shard> shards = new HashMap<>(snapshot.shards());
        if (shards.remove(id) == null) {
            return Changed.NOTHING;
        }
        snapshot = new Snapshot(snapshot.revision(), shards);
        Set<String> dropped = new HashSet<>();
        teams.forEach((team, t) -> {
            if (t.placement().getShardId().equals(id)) {
                teams.remove(team);
                dropped.add(team);
            }
        });
        pool.retain(snapshot.primaries());
        return new Changed(Set.of(id), dropped);
    }

    /** A placement change of a cached team (other teams are resolved when first used). */
    private Changed placeTeam(TeamPlacement placement, long revision) {
        String team = placement.getTeam();
        TeamRoute existing = teams.get(team);
        if (existing == null || existing.revision() >= revision) {
            return Changed.NOTHING;
        }
        Shard shard = snapshot.shards().get(placement.getShardId());
        if (shard == null) {
            teams.remove(team);
        } else {
            teams.put(team, routeOf(placement, revision, shard));
        }
        return new Changed(Set.of(), Set.of(team));
    }

    private TeamRoute routeOf(TeamPlacement placement, long revision, Shard shard) {
        return new TeamRoute(placement, revision,
                pool.connection(shard.getPrimary()).thenApply(connection -> Route.of(connection, placement, shard)));
    }

    /** The connection of every shard known now, by shard id (connecting those not yet connected). */
    synchronized CompletableFuture<Map<String, ShardConnection>> connections() {
        Map<String, CompletableFuture<ShardConnection>> opening = new TreeMap<>();
        snapshot.shards().forEach((id, shard) -> opening.put(id, pool.connection(shard.getPrimary())));
        return CompletableFuture.allOf(opening.values().toArray(CompletableFuture[]::new)).thenApply(ok -> {
            Map<String, ShardConnection> all = new TreeMap<>();
            opening.forEach((id, f) -> all.put(id, f.join()));
            return all;
        });
    }
}
