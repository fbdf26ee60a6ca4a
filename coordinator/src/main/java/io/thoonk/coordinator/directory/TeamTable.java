package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.TeamPlacement;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Every team's placement, immutable, split into the {@link ZkLayout#BUCKETS} buckets of the
 * ZooKeeper layout, each bucket an immutable hash map ({@link Map#copyOf}: one open-addressed
 * array, no entry objects).
 *
 * <p>A change copies only the buckets it touches and the array of bucket references (4096 of
 * them), never the whole table: on a million teams a placement copies ~250 entries and 16 KiB of
 * references, and every bucket it does not touch is shared with the previous table. A lookup is
 * one hash of the team name to find the bucket and one probe in it.
 */
final class TeamTable {

    private static final Map<String, TeamPlacement> NO_TEAMS = Map.of();

    static final TeamTable EMPTY = new TeamTable(emptyBuckets(), 0);

    private final Map<String, TeamPlacement>[] buckets;
    private final int size;

    private TeamTable(Map<String, TeamPlacement>[] buckets, int size) {
        this.buckets = buckets;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TeamPlacement>[] emptyBuckets() {
        Map<String, TeamPlacement>[] buckets = new Map[ZkLayout.BUCKETS];
        Arrays.fill(buckets, NO_TEAMS);
        return buckets;
    }

    /** A table of {@code teams}; a team listed twice keeps its last placement. */
    static TeamTable of(Collection<TeamPlacement> teams) {
        @SuppressWarnings("unchecked")
        HashMap<String, TeamPlacement>[] groups = new HashMap[ZkLayout.BUCKETS];
        for (TeamPlacement t : teams) {
            int b = ZkLayout.bucketOf(t.getTeam());
            if (groups[b] == null) {
                groups[b] = new HashMap<>();
            }
            groups[b].put(t.getTeam(), t);
        }
        Map<String, TeamPlacement>[] buckets = emptyBuckets();
        int size = 0;
        for (int b = 0; b < buckets.length; b++) {
            if (groups[b] != null) {
                buckets[b] = Map.copyOf(groups[b]);
                size += groups[b].size();
                groups[b] = null;
            }
        }
        return new TeamTable(buckets, size);
    }

    /** The team's placement, or null. */
    TeamPlacement get(String team) {
        return buckets[ZkLayout.bucketOf(team)].get(team);
    }

    int size() {
        return size;
    }

    /** The bucket's map itself (tests check which buckets a change shares). */
    Map<String, TeamPlacement> bucket(int bucket) {
        return buckets[bucket];
    }

    Editor edit() {
        return new Editor();
    }

    /**
     * Collects placements to put; {@link #build()} makes the new table and leaves this one as it
     * was. Not thread-safe: one applying thread uses it and drops it.
     */
    final class Editor {
        private final Map<Integer, HashMap<String, TeamPlacement>> touched = new HashMap<>();
        private int newSize = size;

        /** Puts a placement; returns the team's previous one (as edited so far), or null. */
        TeamPlacement put(TeamPlacement placement) {
            int b = ZkLayout.bucketOf(placement.getTeam());
            HashMap<String, TeamPlacement> bucket = touched.computeIfAbsent(b, k -> new HashMap<>(buckets[k]));
            TeamPlacement previous = bucket.put(placement.getTeam(), placement);
            if (previous == null) {
                newSize++;
            }
            return previous;
        }

        TeamTable build() {
            if (touched.isEmpty()) {
                return TeamTable.this;
            }
            Map<String, TeamPlacement>[] next = buckets.clone();
            touched.forEach((b, bucket) -> next[b] = Map.copyOf(bucket));
            return new TeamTable(next, newSize);
        }
    }
}
