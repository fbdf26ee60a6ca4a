package io.thoonk.coordinator.directory;

import com.google.protobuf.InvalidProtocolBufferException;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.TeamBucket;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The directory's durable state in ZooKeeper ({@link ZkLayout}). Every change is one ZooKeeper
 * transaction that compare-and-sets {@code /revision}, writes the changed node at the version it
 * was read at, and appends the change to {@code /changes}; a lost race is retried from a fresh
 * read, so concurrent writers (even two coordinators that both believe they lead) never lose or
 * duplicate a placement.
 *
 * <p>Failovers: a decided change of a shard's primary is first written as an intent
 * ({@link #writeIntent}); {@link #publishFailover} then replaces the shard's record, deletes the
 * intent and appends the failover's record in one transaction that fails if the intent is gone
 * (another leader finished or abandoned it) or the shard changed meanwhile.
 */
public final class DirectoryStore {

    /** Changes kept in {@code /changes} for Watch resumption. */
    public static final int CHANGES_KEPT = 10_000;

    private static final int MAX_ATTEMPTS = 50;

    private final CuratorFramework zk;

    /** {@code zk} must be started and namespaced (e.g. {@code usingNamespace("thoonk")}). */
    public DirectoryStore(CuratorFramework zk) {
        this.zk = zk;
    }

    /** Creates the top-level nodes if missing; safe to run on every start, concurrently. */
    public void ensureLayout() throws Exception {
        createIfMissing(ZkLayout.REVISION, longBytes(0));
        for (String path : List.of(ZkLayout.SHARDS, ZkLayout.TEAMS, ZkLayout.CHANGES, ZkLayout.COORDINATORS,
                ZkLayout.INTENTS, ZkLayout.RECORDS, ZkLayout.MOVES_ACTIVE, ZkLayout.MOVES_HISTORY)) {
            createIfMissing(path, new byte[0]);
        }
    }

    private void createIfMissing(String path, byte[] data) throws Exception {
        try {
            zk.create().creatingParentsIfNeeded().forPath(path, data);
        } catch (KeeperException.NodeExistsException alreadyThere) {
            // another coordinator created it first
        }
    }

    public long readRevision() throws Exception {
        return ByteBuffer.wrap(zk.getData().forPath(ZkLayout.REVISION)).getLong();
    }

    /** Everything, for a cold start. The revision is read first, so the snapshot is at least that new. */
    public DirectorySnapshot load() throws Exception {
        long revision = readRevision();
        Map<String, Shard> shards = new HashMap<>();
        for (String id : zk.getChildren().forPath(ZkLayout.SHARDS)) {
            shards.put(id, Shard.parseFrom(zk.getData().forPath(ZkLayout.shardPath(id))));
        }
        List<TeamPlacement> teams = new ArrayList<>();
        for (String bucket : zk.getChildren().forPath(ZkLayout.TEAMS)) {
            teams.addAll(TeamBucket.parseFrom(zk.getData().forPath(ZkLayout.TEAMS + "/" + bucket)).getTeamsList());
        }
        return new DirectorySnapshot(revision, shards, teams);
    }

    /** Changes {@code from..to} (inclusive) from the log; empty if any of them was pruned. */
    public Optional<List<DirectoryChange>> changes(long from, long to) throws Exception {
        List<DirectoryChange> out = new ArrayList<>();
        for (long r = from; r <= to; r++) {
            try {
                out.add(DirectoryChange.parseFrom(zk.getData().forPath(ZkLayout.changePath(r))));
            } catch (KeeperException.NoNodeException pruned) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }

    /** The placement of {@code team} as stored now (a fresh read, not a cache). */
    public Optional<TeamPlacement> readTeam(String team) throws Exception {
        return readBucket(ZkLayout.bucketOf(team)).bucket.getTeamsList().stream()
                .filter(t -> t.getTeam().equals(team)).findFirst();
    }

    /**
     * Changes one team's placement: {@code change} gets the current placement (if any) and returns
     * the new one, or the same object (null when there is none) to leave it alone. Returns the
     * placement in force afterwards (null when there is none) and the revision (unchanged when
     * nothing was written).
     */
    public Committed<TeamPlacement> updateTeam(String team,
                                               Function<Optional<TeamPlacement>, TeamPlacement> change)
            throws Exception {
        int bucket = ZkLayout.bucketOf(team);
        String path = ZkLayout.bucketPath(bucket);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            BucketRead read = readBucket(bucket);
            Optional<TeamPlacement> current = read.bucket.getTeamsList().stream()
                    .filter(t -> t.getTeam().equals(team)).findFirst();
            TeamPlacement next = change.apply(current);
            if (next == null || current.isPresent() && current.get().equals(next)) {
                return new Committed<>(current.orElse(null), rev.value);
            }
            TeamBucket.Builder updated = TeamBucket.newBuilder();
            read.bucket.getTeamsList().stream().filter(t -> !t.getTeam().equals(team)).forEach(updated::addTeams);
            updated.addTeams(next);
            long newRevision = rev.value + 1;
            DirectoryChange logged = DirectoryChange.newBuilder().setRevision(newRevision).setTeam(next).build();
            CuratorOp bucketOp = read.version < 0
                    ? zk.transactionOp().create().forPath(path, updated.build().toByteArray())
                    : zk.transactionOp().setData().withVersion(read.version).forPath(path, updated.build().toByteArray());
            if (commit(rev, bucketOp, logged)) {
                return new Committed<>(next, newRevision);
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                "could not update team '" + team + "': too much contention on the directory; retry");
    }

    /**
     * Sets the state of a team's placement (frozen while a move holds its writes, active again when
     * the move is rolled back) if the team is still on {@code shardId} at {@code epoch}, so Watch
     * tells every client: a client that finds the team frozen then waits for the team's next change
     * instead of trying again and again. Elsewhere, or at another epoch, nothing is written: the
     * team was placed anew meanwhile. Returns the revision (unchanged when nothing was written).
     */
    public long setTeamState(String team, String shardId, long epoch, TeamState state) throws Exception {
        return updateTeam(team, current -> current
                .filter(p -> p.getShardId().equals(shardId) && p.getEpoch() == epoch)
                .map(p -> p.toBuilder().setState(state).build())
                .orElse(current.orElse(null))).revision();
    }

    /**
     * Places many teams in one transaction (one ZooKeeper write for a whole burst of first
     * resolves). A team that already has a placement keeps it. Returns every team's placement in
     * force afterwards, and the revision.
     */
    public Committed<Map<String, TeamPlacement>> placeTeams(Map<String, TeamPlacement> proposed) throws Exception {
        Map<Integer, List<String>> byBucket = new HashMap<>();
        proposed.keySet().forEach(team -> byBucket.computeIfAbsent(ZkLayout.bucketOf(team), b -> new ArrayList<>())
                .add(team));
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            Map<String, TeamPlacement> result = new HashMap<>();
            List<CuratorOp> ops = new ArrayList<>();
            long next = rev.value;
            List<DirectoryChange> logged = new ArrayList<>();
            for (var entry : byBucket.entrySet()) {
                BucketRead read = readBucket(entry.getKey());
                Map<String, TeamPlacement> existing = new HashMap<>();
                read.bucket.getTeamsList().forEach(t -> existing.put(t.getTeam(), t));
                TeamBucket.Builder updated = read.bucket.toBuilder();
                boolean changed = false;
                for (String team : entry.getValue()) {
                    TeamPlacement current = existing.get(team);
                    if (current != null) {
                        result.put(team, current);
                        continue;
                    }
                    TeamPlacement placement = proposed.get(team);
                    updated.addTeams(placement);
                    result.put(team, placement);
                    logged.add(DirectoryChange.newBuilder().setRevision(++next).setTeam(placement).build());
                    changed = true;
                }
                if (changed) {
                    String path = ZkLayout.bucketPath(entry.getKey());
                    ops.add(read.version < 0
                            ? zk.transactionOp().create().forPath(path, updated.build().toByteArray())
                            : zk.transactionOp().setData().withVersion(read.version).forPath(path,
                                    updated.build().toByteArray()));
                }
            }
            if (logged.isEmpty()) {
                return new Committed<>(result, rev.value);
            }
            ops.add(0, zk.transactionOp().setData().withVersion(rev.version).forPath(ZkLayout.REVISION, longBytes(next)));
            for (DirectoryChange change : logged) {
                ops.add(zk.transactionOp().create().forPath(ZkLayout.changePath(change.getRevision()), change.toByteArray()));
            }
            try {
                zk.transaction().forOperations(ops);
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                     | KeeperException.NoNodeException lostRace) {
                continue;
            }
            for (long r = rev.value + 1; r <= next; r++) {
                if (r > CHANGES_KEPT) {
                    zk.delete().quietly().inBackground().forPath(ZkLayout.changePath(r - CHANGES_KEPT));
                }
            }
            return new Committed<>(result, next);
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                "could not place " + proposed.size() + " teams: too much contention on the directory; retry");
    }

    /** Adds or replaces a shard (with {@code expectNew}, fails if it exists). */
    public long putShard(Shard shard, boolean expectNew) throws Exception {
        String path = ZkLayout.shardPath(shard.getId());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            Stat stat = zk.checkExists().forPath(path);
            if (expectNew && stat != null) {
                throw new CoordinatorException(CoordinatorException.Reason.ALREADY_EXISTS,
                        "shard '" + shard.getId() + "' is already registered");
            }
            DirectoryChange logged = DirectoryChange.newBuilder().setRevision(rev.value + 1).setShard(shard).build();
            CuratorOp op = stat == null
                    ? zk.transactionOp().create().forPath(path, shard.toByteArray())
                    : zk.transactionOp().setData().withVersion(stat.getVersion()).forPath(path, shard.toByteArray());
            if (commit(rev, op, logged)) {
                return rev.value + 1;
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    public long removeShard(String shardId) throws Exception {
        String path = ZkLayout.shardPath(shardId);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            Stat stat = zk.checkExists().forPath(path);
            if (stat == null) {
                throw new CoordinatorException(CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'");
            }
            DirectoryChange logged = DirectoryChange.newBuilder().setRevision(rev.value + 1)
                    .setRemovedShardId(shardId).build();
            if (commit(rev, zk.transactionOp().delete().withVersion(stat.getVersion()).forPath(path), logged)) {
                return rev.value + 1;
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    /** The shard's record as stored now (a fresh read, not a cache). */
    public Optional<Shard> readShard(String shardId) throws Exception {
        return readShardWithVersion(shardId).map(ShardRead::shard);
    }

    private Optional<ShardRead> readShardWithVersion(String shardId) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = zk.getData().storingStatIn(stat).forPath(ZkLayout.shardPath(shardId));
            return Optional.of(new ShardRead(Shard.parseFrom(data), stat.getVersion()));
        } catch (KeeperException.NoNodeException none) {
            return Optional.empty();
        }
    }

    /**
     * Changes a shard's record if it is still at {@code expectedEpoch} (compare-and-set):
     * {@code change} gets the current record and returns the new one, or the same object to leave
     * it alone. With a {@code record} (may be null), that failover record is appended in the same
     * transaction. Returns the record in force afterwards and the revision (unchanged when nothing
     * was written).
     *
     * @throws CoordinatorException NOT_FOUND when the shard is gone, FAILED_PRECONDITION when its epoch
     *                              is no longer {@code expectedEpoch}
     */
    public Committed<Shard> updateShard(String shardId, long expectedEpoch, UnaryOperator<Shard> change,
                                        FailoverRecord record) throws Exception {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            ShardRead read = readShardAtEpoch(shardId, expectedEpoch);
            Shard next = change.apply(read.shard);
            if (next.equals(read.shard)) {
                return new Committed<>(next, rev.value);
            }
            List<CuratorOp> ops = new ArrayList<>();
            ops.add(zk.transactionOp().setData().withVersion(read.version).forPath(ZkLayout.shardPath(shardId),
                    next.toByteArray()));
            if (record != null) {
                ops.add(appendRecord(record));
            }
            if (commit(rev, ops, DirectoryChange.newBuilder().setRevision(rev.value + 1).setShard(next).build())) {
                pruneRecordsIf(record != null);
                return new Committed<>(next, rev.value + 1);
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    private ShardRead readShardAtEpoch(String shardId, long expectedEpoch) throws Exception {
        ShardRead read = readShardWithVersion(shardId).orElseThrow(() -> new CoordinatorException(
                CoordinatorException.Reason.NOT_FOUND, "no shard '" + shardId + "'"));
        if (read.shard.getEpoch() != expectedEpoch) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "shard '" + shardId
                    + "' is at epoch " + read.shard.getEpoch() + ", not " + expectedEpoch
                    + ": it changed meanwhile");
        }
        return read;
    }

    /**
     * Records a decided, unfinished change of a shard's primary ({@code intent.shard_id}).
     *
     * @throws CoordinatorException ALREADY_EXISTS when the shard has an intent already
     */
    public void writeIntent(FailoverRecord intent) throws Exception {
        try {
            zk.create().forPath(ZkLayout.intentPath(intent.getShardId()), intent.toByteArray());
        } catch (KeeperException.NodeExistsException e) {
            throw new CoordinatorException(CoordinatorException.Reason.ALREADY_EXISTS, "shard '"
                    + intent.getShardId() + "' has an unfinished failover already", e);
        }
    }

    /** The shard's unfinished failover intent, if it has one (a fresh read). */
    public Optional<FailoverRecord> readIntent(String shardId) throws Exception {
        try {
            return Optional.of(FailoverRecord.parseFrom(zk.getData().forPath(ZkLayout.intentPath(shardId))));
        } catch (KeeperException.NoNodeException none) {
            return Optional.empty();
        }
    }

    /** Every unfinished failover intent, by shard id. */
    public List<FailoverRecord> intents() throws Exception {
        List<FailoverRecord> out = new ArrayList<>();
        for (String shard : zk.getChildren().forPath(ZkLayout.INTENTS)) {
            try {
                out.add(FailoverRecord.parseFrom(zk.getData().forPath(ZkLayout.intentPath(shard))));
            } catch (KeeperException.NoNodeException finished) {
                // deleted between the two reads
            }
        }
        return out;
    }

    /**
     * Publishes a decided change of primary: in one transaction, the shard's record becomes
     * {@code next} (its epoch must be one less than {@code next}'s), the shard's intent is deleted
     * and {@code record} appended. Returns the revision.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the intent is gone (another leader finished
     *                              or abandoned it) or the shard changed meanwhile; NOT_FOUND when it is gone
     */
    public long publishFailover(Shard next, FailoverRecord record) throws Exception {
        String intentPath = ZkLayout.intentPath(next.getId());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            ShardRead read = readShardAtEpoch(next.getId(), next.getEpoch() - 1);
            Stat intent = zk.checkExists().forPath(intentPath);
            if (intent == null) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "the failover of shard '"
                        + next.getId() + "' has no intent any more: another leader finished or abandoned it");
            }
            List<CuratorOp> ops = List.of(
                    zk.transactionOp().setData().withVersion(read.version).forPath(ZkLayout.shardPath(next.getId()),
                            next.toByteArray()),
                    zk.transactionOp().delete().withVersion(intent.getVersion()).forPath(intentPath),
                    appendRecord(record));
            if (commit(rev, ops, DirectoryChange.newBuilder().setRevision(rev.value + 1).setShard(next).build())) {
                pruneRecordsIf(true);
                return rev.value + 1;
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    /**
     * Ends a failover without changing the directory: deletes the shard's intent (if it has one) and
     * appends {@code record}, in one transaction.
     */
    public void abandonFailover(FailoverRecord record) throws Exception {
        String intentPath = ZkLayout.intentPath(record.getShardId());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Stat intent = zk.checkExists().forPath(intentPath);
            List<CuratorOp> ops = new ArrayList<>();
            if (intent != null) {
                ops.add(zk.transactionOp().delete().withVersion(intent.getVersion()).forPath(intentPath));
            }
            ops.add(appendRecord(record));
            try {
                zk.transaction().forOperations(ops);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException lostRace) {
                continue;
            }
            pruneRecordsIf(true);
            return;
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    // ---- team moves ----

    /**
     * Records the intent of a team move ({@code intent.team}); returns its node version.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the team has a move in progress already
     */
    public int createMove(MoveProgress intent) throws Exception {
        try {
            zk.create().forPath(ZkLayout.movePath(intent.getTeam()), intent.toByteArray());
            return 0;
        } catch (KeeperException.NodeExistsException e) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '" + intent.getTeam()
                    + "' is being moved already (see ListMoves; CancelMove stops it)", e);
        }
    }

    /**
     * Replaces a move's intent if it is still at {@code version}; returns the new version.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when it changed or is gone: another leader took
     *                              the move over
     */
    public int updateMove(MoveProgress intent, int version) throws Exception {
        try {
            return zk.setData().withVersion(version).forPath(ZkLayout.movePath(intent.getTeam()), intent.toByteArray())
                    .getVersion();
        } catch (KeeperException.BadVersionException | KeeperException.NoNodeException e) {
            throw takenOver(intent);
        }
    }

    private static CoordinatorException takenOver(MoveProgress intent) {
        return new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "the move " + intent.getMoveId()
                + " of team '" + intent.getTeam() + "' was taken over or ended by another leader");
    }

    /** Every move in progress, with its node version. */
    public List<Versioned<MoveProgress>> moves() throws Exception {
        List<Versioned<MoveProgress>> out = new ArrayList<>();
        for (String team : zk.getChildren().forPath(ZkLayout.MOVES_ACTIVE)) {
            readMove(team).ifPresent(out::add);
        }
        return out;
    }

    /** The team's move in progress, if any, with its node version (a fresh read). */
    public Optional<Versioned<MoveProgress>> readMove(String team) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = zk.getData().storingStatIn(stat).forPath(ZkLayout.movePath(team));
            return Optional.of(new Versioned<>(MoveProgress.parseFrom(data), stat.getVersion()));
        } catch (KeeperException.NoNodeException none) {
            return Optional.empty();
        }
    }

    /**
     * The switch of a team move, in one transaction: the team's placement becomes {@code next} (it
     * must still be on {@code from} at {@code next.epoch - 1}), the move's intent becomes
     * {@code intent} (it must still be at {@code intentVersion}), the revision is bumped and the
     * change logged. Returns the new intent version and the revision.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the placement or the intent changed meanwhile
     */
    public Committed<Integer> switchTeam(TeamPlacement next, String from, MoveProgress intent, int intentVersion)
            throws Exception {
        int bucket = ZkLayout.bucketOf(next.getTeam());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Revision rev = readRevisionWithVersion();
            BucketRead read = readBucket(bucket);
            TeamPlacement current = read.bucket.getTeamsList().stream()
                    .filter(t -> t.getTeam().equals(next.getTeam())).findFirst().orElse(null);
            if (current == null || !current.getShardId().equals(from) || current.getEpoch() != next.getEpoch() - 1) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "team '"
                        + next.getTeam() + "' is no longer on shard '" + from + "' at epoch " + (next.getEpoch() - 1)
                        + " (now " + (current == null ? "unplaced" : current.getShardId() + " at epoch "
                        + current.getEpoch()) + ")");
            }
            TeamBucket.Builder updated = TeamBucket.newBuilder();
            read.bucket.getTeamsList().stream().filter(t -> !t.getTeam().equals(next.getTeam()))
                    .forEach(updated::addTeams);
            updated.addTeams(next);
            List<CuratorOp> ops = List.of(
                    zk.transactionOp().setData().withVersion(read.version).forPath(ZkLayout.bucketPath(bucket),
                            updated.build().toByteArray()),
                    zk.transactionOp().setData().withVersion(intentVersion).forPath(
                            ZkLayout.movePath(next.getTeam()), intent.toByteArray()));
            if (zk.checkExists().forPath(ZkLayout.movePath(next.getTeam())) == null) {
                throw takenOver(intent);
            }
            try {
                if (commit(rev, ops, DirectoryChange.newBuilder().setRevision(rev.value + 1).setTeam(next).build())) {
                    return new Committed<>(intentVersion + 1, rev.value + 1);
                }
            } catch (KeeperException.BadVersionException e) {
                // the bucket or the intent; told apart by reading again
            }
            Optional<Versioned<MoveProgress>> now = readMove(next.getTeam());
            if (now.isEmpty() || now.get().version() != intentVersion) {
                throw takenOver(intent);
            }
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    /**
     * Ends a move: deletes its intent (if it is still there: {@code intentVersion}, or any version
     * with -1) and appends {@code record} to the history, in one transaction; prunes the history to
     * the newest {@link ZkLayout#MOVES_KEPT}.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the intent changed meanwhile (another leader
     *                              took the move over)
     */
    public void finishMove(MoveProgress record, int intentVersion) throws Exception {
        String path = ZkLayout.movePath(record.getTeam());
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Stat stat = zk.checkExists().forPath(path);
            List<CuratorOp> ops = new ArrayList<>();
            if (stat != null) {
                if (intentVersion >= 0 && stat.getVersion() != intentVersion) {
                    throw takenOver(record);
                }
                ops.add(zk.transactionOp().delete().withVersion(stat.getVersion()).forPath(path));
            } else if (intentVersion >= 0) {
                throw takenOver(record);
            }
            ops.add(zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                    .forPath(ZkLayout.MOVE_RECORD_PREFIX, record.toByteArray()));
            try {
                zk.transaction().forOperations(ops);
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException lostRace) {
                continue;
            }
            List<String> names = new ArrayList<>(zk.getChildren().forPath(ZkLayout.MOVES_HISTORY));
            names.sort(Comparator.reverseOrder());
            for (String old : names.subList(Math.min(names.size(), ZkLayout.MOVES_KEPT), names.size())) {
                zk.delete().quietly().inBackground().forPath(ZkLayout.MOVES_HISTORY + "/" + old);
            }
            return;
        }
        throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "directory too contended; retry");
    }

    /** The finished moves, newest first (at most {@link ZkLayout#MOVES_KEPT}). */
    public List<MoveProgress> moveHistory() throws Exception {
        List<String> names = new ArrayList<>(zk.getChildren().forPath(ZkLayout.MOVES_HISTORY));
        names.sort(Comparator.reverseOrder());
        List<MoveProgress> out = new ArrayList<>();
        for (String name : names.subList(0, Math.min(names.size(), ZkLayout.MOVES_KEPT))) {
            try {
                out.add(MoveProgress.parseFrom(zk.getData().forPath(ZkLayout.MOVES_HISTORY + "/" + name)));
            } catch (KeeperException.NoNodeException pruned) {
                // pruned between the two reads
            }
        }
        return out;
    }

    private CuratorOp appendRecord(FailoverRecord record) throws Exception {
        return zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
                .forPath(ZkLayout.RECORD_PREFIX, record.toByteArray());
    }

    /** Deletes all but the newest {@link ZkLayout#FAILOVERS_KEPT} failover records. */
    private void pruneRecordsIf(boolean appended) throws Exception {
        if (!appended) {
            return;
        }
        List<String> names = new ArrayList<>(zk.getChildren().forPath(ZkLayout.RECORDS));
        names.sort(Comparator.reverseOrder());
        for (String old : names.subList(Math.min(names.size(), ZkLayout.FAILOVERS_KEPT), names.size())) {
            zk.delete().quietly().inBackground().forPath(ZkLayout.RECORDS + "/" + old);
        }
    }

    /** One transaction: revision CAS, the node write, the log entry. False when a race was lost. */
    private boolean commit(Revision rev, CuratorOp write, DirectoryChange logged) throws Exception {
        return commit(rev, List.of(write), logged);
    }

    /** One transaction: revision CAS, the node writes, the log entry. False when a race was lost. */
    private boolean commit(Revision rev, List<CuratorOp> writes, DirectoryChange logged) throws Exception {
        long next = logged.getRevision();
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(zk.transactionOp().setData().withVersion(rev.version).forPath(ZkLayout.REVISION, longBytes(next)));
        ops.addAll(writes);
        ops.add(zk.transactionOp().create().forPath(ZkLayout.changePath(next), logged.toByteArray()));
        try {
            zk.transaction().forOperations(ops);
        } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException
                 | KeeperException.NoNodeException lostRace) {
            return false;
        }
        if (next > CHANGES_KEPT) {
            zk.delete().quietly().inBackground().forPath(ZkLayout.changePath(next - CHANGES_KEPT));
        }
        return true;
    }

    private Revision readRevisionWithVersion() throws Exception {
        Stat stat = new Stat();
        byte[] data = zk.getData().storingStatIn(stat).forPath(ZkLayout.REVISION);
        return new Revision(ByteBuffer.wrap(data).getLong(), stat.getVersion());
    }

    private BucketRead readBucket(int bucket) throws Exception {
        Stat stat = new Stat();
        try {
            byte[] data = zk.getData().storingStatIn(stat).forPath(ZkLayout.bucketPath(bucket));
            return new BucketRead(TeamBucket.parseFrom(data), stat.getVersion());
        } catch (KeeperException.NoNodeException none) {
            return new BucketRead(TeamBucket.getDefaultInstance(), -1);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("bucket " + bucket + " holds unreadable data", e);
        }
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    private record Revision(long value, int version) {
    }

    private record BucketRead(TeamBucket bucket, int version) {
    }

    private record ShardRead(Shard shard, int version) {
    }

    /** A value read from ZooKeeper with its node's version, for a later compare-and-set. */
    public record Versioned<T>(T value, int version) {
    }

    /** A value as committed, with the directory revision that holds it. */
    public record Committed<T>(T value, long revision) {
    }
}
