package io.thoonk.coordinator.directory;

/**
 * Where the directory lives in ZooKeeper, under the Curator namespace (default {@code thoonk}):
 *
 * <pre>
 * /revision            8-byte directory revision; every change is a transaction that sets it
 *                      with the version it was read at (compare-and-set)
 * /shards/&lt;id&gt;         Shard (protobuf)
 * /teams/&lt;bucket&gt;      TeamBucket (protobuf): the teams whose name hashes to the bucket; 4096
 *                      buckets, so a million teams make ~250 per node instead of a million children
 * /changes/&lt;revision&gt;  DirectoryChange (protobuf), the recent change log that Watch resumes from
 * /leader              Curator LeaderLatch
 * /coordinators/&lt;id&gt;   ephemeral, the gRPC address of each live coordinator
 * /failovers/intents/&lt;shard&gt;  FailoverRecord (protobuf): a change of the shard's primary the leader has
 *                      decided and not finished (old primary, chosen replica, new epoch); deleted in the
 *                      transaction that publishes the change, so a new leader finishes or abandons it
 * /failovers/records/r-&lt;seq&gt;  FailoverRecord (protobuf) of each finished, failed or abandoned failover,
 *                      sequential; the newest {@value #FAILOVERS_KEPT} are kept
 * /moves/active/&lt;team&gt;   MoveProgress (protobuf): the intent of a team move in progress (move id, source,
 *                      target, phase, timings); written by the leader at every phase change, compare-and-set
 *                      by version, and replaced by the team's directory change in one transaction at the switch,
 *                      so a new leader rolls a move back (before the switch) or finishes it (after)
 * /moves/history/m-&lt;seq&gt;  MoveProgress (protobuf) of each finished move (done, cancelled, rolled back),
 *                      sequential; the newest {@value #MOVES_KEPT} are kept
 * </pre>
 */
public final class ZkLayout {

    public static final String REVISION = "/revision";
    public static final String SHARDS = "/shards";
    public static final String TEAMS = "/teams";
    public static final String CHANGES = "/changes";
    public static final String LEADER = "/leader";
    public static final String COORDINATORS = "/coordinators";
    public static final String FAILOVERS = "/failovers";
    public static final String INTENTS = FAILOVERS + "/intents";
    public static final String RECORDS = FAILOVERS + "/records";
    /** Prefix of the sequential record nodes. */
    public static final String RECORD_PREFIX = RECORDS + "/r-";

    public static final String MOVES = "/moves";
    public static final String MOVES_ACTIVE = MOVES + "/active";
    public static final String MOVES_HISTORY = MOVES + "/history";
    /** Prefix of the sequential move history nodes. */
    public static final String MOVE_RECORD_PREFIX = MOVES_HISTORY + "/m-";

    /** Finished moves kept in {@link #MOVES_HISTORY}. */
    public static final int MOVES_KEPT = 100;

    /** Failover records kept in {@link #RECORDS}. */
    public static final int FAILOVERS_KEPT = 20;

    /** Number of team buckets (2^12); fixed for the life of a directory. */
    public static final int BUCKETS = 4096;

    private ZkLayout() {
    }

    /** Fibonacci hashing: the top 12 bits of the golden-ratio product spread similar names evenly. */
    public static int bucketOf(String team) {
        return (team.hashCode() * 0x9E3779B9) >>> (32 - 12);
    }

    public static String bucketPath(int bucket) {
        return TEAMS + "/" + String.format("%03x", bucket);
    }

    public static String shardPath(String shardId) {
        return SHARDS + "/" + shardId;
    }

    public static String intentPath(String shardId) {
        return INTENTS + "/" + shardId;
    }

    public static String movePath(String team) {
        return MOVES_ACTIVE + "/" + team;
    }

    public static String changePath(long revision) {
        return CHANGES + "/" + String.format("%019d", revision);
    }

    public static long revisionOfChangeNode(String name) {
        return Long.parseLong(name);
    }
}
