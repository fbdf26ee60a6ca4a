package io.thoonk.coordinator.http;

import java.util.List;

/**
 * What the dashboard shows, as {@code /api/state} and every {@code /api/events} event carry it
 * (serialized to JSON by Jackson; field names are the record components').
 *
 * @param coordinator      the coordinator answering
 * @param generatedAtMillis when this snapshot was taken, epoch milliseconds
 * @param shards           every registered shard, sorted by id
 * @param moves            team moves in progress
 * @param timeline         failovers and finished or running moves, newest first, at most {@link DashboardState#TIMELINE_KEPT}
 */
record Snapshot(CoordinatorInfo coordinator, long generatedAtMillis, List<ShardInfo> shards, List<MoveInfo> moves,
                List<TimelineEntry> timeline) {

    /** @param revision the directory revision this coordinator has applied */
    record CoordinatorInfo(String id, boolean leader, long revision) {
    }

    /**
     * @param state     the shard's state without its prefix: {@code ACTIVE}, {@code DRAINING}, {@code FAILED},
     *                  {@code DEGRADED}
     * @param teams     teams placed on the shard
     */
    record ShardInfo(String id, String state, String stateReason, boolean draining, long epoch, int weight,
                     long teams, NodeInfo primary, List<NodeInfo> replicas) {
    }

    /**
     * One Redis node as the coordinators' probes see it.
     *
     * @param health    {@code up} (a majority of the reports reached it), {@code down}, or {@code unknown}
     *                  (not probed yet)
     * @param role      {@code master} or {@code slave} as the node said last ({@code ""} if never reached)
     * @param offset    its replication offset (-1 if unknown)
     * @param lagBytes  for a replica, how far its offset is behind its shard primary's (-1 if unknown)
     * @param reachableBy how many coordinators' latest probe reached it
     * @param reports   how many coordinators reported on it
     */
    record NodeInfo(String address, String health, String role, long offset, long lagBytes, int reachableBy,
                    int reports) {
    }

    /**
     * A team move in progress.
     *
     * @param phase       the phase without its prefix, e.g. {@code COPYING}
     * @param etaMillis   -1 when not known yet
     * @param percent     objects copied of the total, 0..100 (0 while the total is unknown)
     */
    record MoveInfo(String team, String source, String target, String phase, long objectsTotal, long objectsCopied,
                    long bytesCopied, long elapsedMillis, long etaMillis, int percent, long startedAtMillis) {
    }

    /**
     * A failover or a move.
     *
     * @param kind       {@code failover} or {@code move}
     * @param atMillis   when it happened (a failover: when it was published; a move: when it started)
     * @param shard      the failed-over shard, or a move's source
     * @param from       the old primary, or a move's source shard
     * @param to         the new primary ({@code ""} when nothing could be promoted), or a move's target shard
     * @param team       a move's team ({@code ""} for a failover)
     * @param detail     the outcome or phase, for a person
     * @param epoch      the shard epoch a failover produced, or the team epoch a move produced (0 if none)
     */
    record TimelineEntry(String kind, long atMillis, String shard, String from, String to, String team,
                         String detail, long epoch) {
    }
}
