package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamPlacement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The directory at one revision, as this coordinator holds it: every shard (with its team count
 * filled in), every team placement, and the counts, all of the same revision. Immutable: a reader
 * that takes one view from {@link DirectoryCache#view()} sees one consistent state for as long as
 * it keeps it, while the cache publishes newer views beside it.
 *
 * <p>A new view shares everything a change does not touch with the previous one (see
 * {@link TeamTable}), so publishing one per change stays cheap on a million teams.
 */
public final class DirectoryView {

    static final DirectoryView EMPTY = new DirectoryView(0, TeamTable.EMPTY, Map.of(), Map.of());

    private final long revision;
    private final TeamTable teams;
    /** Registered shards, without team counts (as stored). */
    private final Map<String, Shard> registered;
    /** Teams per shard id. */
    private final Map<String, Long> teamCounts;
    /** Registered shards with their team counts, by id, and sorted by id. */
    private final Map<String, Shard> shards;
    private final List<Shard> sortedShards;

    private DirectoryView(long revision, TeamTable teams, Map<String, Shard> registered, Map<String, Long> teamCounts) {
        this.revision = revision;
        this.teams = teams;
        this.registered = registered;
        this.teamCounts = teamCounts;
        Map<String, Shard> counted = new HashMap<>();
        registered.forEach((id, s) -> counted.put(id, s.toBuilder().setTeamCount(teamCount(id)).build()));
        this.shards = Map.copyOf(counted);
        this.sortedShards = counted.values().stream().sorted(Comparator.comparing(Shard::getId)).toList();
    }

    /** The view of a whole directory read from ZooKeeper. */
    static DirectoryView of(DirectorySnapshot snapshot) {
        Map<String, long[]> counts = new HashMap<>();
        snapshot.shards().keySet().forEach(id -> counts.put(id, new long[1]));
        for (TeamPlacement t : snapshot.teams()) {
            counts.computeIfAbsent(t.getShardId(), k -> new long[1])[0]++;
        }
        Map<String, Long> teamCounts = new HashMap<>();
        counts.forEach((id, n) -> teamCounts.put(id, n[0]));
        return new DirectoryView(snapshot.revision(), TeamTable.of(snapshot.teams()), Map.copyOf(snapshot.shards()),
                Map.copyOf(teamCounts));
    }

    /**
     * This view with {@code changes} applied in order (those at or below this view's revision are
     * skipped); this view itself if none applies. Changes of an unknown kind only advance the
     * revision.
     */
    DirectoryView apply(List<DirectoryChange> changes) {
        long rev = revision;
        TeamTable.Editor teamEdits = null;
        Map<String, Shard> nextShards = null;
        Map<String, Long> nextCounts = null;
        for (DirectoryChange change : changes) {
            if (change.getRevision() <= rev) {
                continue;
            }
            rev = change.getRevision();
            switch (change.getChangeCase()) {
                case SHARD -> {
                    nextShards = nextShards != null ? nextShards : new HashMap<>(registered);
                    nextCounts = nextCounts != null ? nextCounts : new HashMap<>(teamCounts);
                    nextShards.put(change.getShard().getId(), change.getShard());
                    nextCounts.putIfAbsent(change.getShard().getId(), 0L);
                }
                case REMOVED_SHARD_ID -> {
                    nextShards = nextShards != null ? nextShards : new HashMap<>(registered);
                    nextCounts = nextCounts != null ? nextCounts : new HashMap<>(teamCounts);
                    nextShards.remove(change.getRemovedShardId());
                    nextCounts.remove(change.getRemovedShardId());
                }
                case TEAM -> {
                    teamEdits = teamEdits != null ? teamEdits : teams.edit();
                    nextCounts = nextCounts != null ? nextCounts : new HashMap<>(teamCounts);
                    TeamPlacement next = change.getTeam();
                    TeamPlacement previous = teamEdits.put(next);
                    if (previous == null || !previous.getShardId().equals(next.getShardId())) {
                        if (previous != null) {
                            nextCounts.merge(previous.getShardId(), -1L, Long::sum);
                        }
                        nextCounts.merge(next.getShardId(), 1L, Long::sum);
                    }
                }
                default -> {
                    // an unknown kind: nothing to apply, the revision moves on
                }
            }
        }
        if (rev == revision) {
            return this;
        }
        return new DirectoryView(rev, teamEdits == null ? teams : teamEdits.build(),
                nextShards == null ? registered : Map.copyOf(nextShards),
                nextCounts == null ? teamCounts : Map.copyOf(nextCounts));
    }

    /** The directory revision this view is at. */
    public long revision() {
        return revision;
    }

    public Optional<TeamPlacement> team(String team) {
        return Optional.ofNullable(teams.get(team));
    }

    /** A registered shard, with its team count. */
    public Optional<Shard> shard(String id) {
        return Optional.ofNullable(shards.get(id));
    }

    /** Every registered shard with its team count, sorted by id. */
    public List<Shard> shards() {
        return sortedShards;
    }

    /** Teams placed on {@code shardId}. */
    public long teamCount(String shardId) {
        return teamCounts.getOrDefault(shardId, 0L);
    }

    /**
     * The placements of every team, grouped by shard id and sorted by team id within each shard. A
     * walk over every team (for draining and rebalancing, not for a request path).
     */
    public Map<String, List<TeamPlacement>> teamsByShard() {
        Map<String, List<TeamPlacement>> byShard = new HashMap<>();
        for (int b = 0; b < ZkLayout.BUCKETS; b++) {
            for (TeamPlacement t : teams.bucket(b).values()) {
                byShard.computeIfAbsent(t.getShardId(), k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, List<TeamPlacement>> sorted = new HashMap<>();
        byShard.forEach((id, list) -> sorted.put(id, list.stream().sorted(Comparator.comparing(TeamPlacement::getTeam))
                .toList()));
        return Map.copyOf(sorted);
    }

    /** Teams placed in all. */
    public long teamCount() {
        return teams.size();
    }

    TeamTable teams() {
        return teams;
    }
}
