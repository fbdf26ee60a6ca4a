package io.thoonk.coordinator.failover;

import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryStore;
import io.thoonk.coordinator.directory.ShardStates;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.FailoverKind;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** What the failover steps share: the coordinator's parts, the settings, and this coordinator's id. */
record Parts(DirectoryStore store, DirectoryCache cache, ShardNodes nodes, NodeHealthView health,
             Promoter.Settings settings, Promoter.PhaseHook hook, String coordinatorId) {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS 'UTC'")
            .withZone(ZoneOffset.UTC);

    long now() {
        return settings.clock().millis();
    }

    /** A wall-clock time for a person, e.g. {@code 12:00:01.250 UTC}. */
    static String time(long epochMillis) {
        return TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    /** A failover record started at {@code startedAt} (epoch millis), its phases still to be timed. */
    FailoverRecord.Builder record(Shard shard, FailoverKind kind, long startedAt) {
        return FailoverRecord.newBuilder().setShardId(shard.getId()).setOldPrimary(shard.getPrimary())
                .setKind(kind).setCoordinatorId(coordinatorId).setStartedAtMillis(startedAt);
    }

    /** Milliseconds since the record's start. */
    long since(FailoverRecord.Builder record) {
        return now() - record.getStartedAtMillis();
    }

    /**
     * The shard's record once {@code newPrimary} replaces its primary: epoch + 1, the other replicas
     * plus the old primary (a replica to be); ACTIVE, or DEGRADED when none of its replicas
     * {@code follows} the new primary yet; a draining shard stays draining ({@link ShardStates}).
     */
    static Shard promoted(Shard shard, String newPrimary, List<String> following) {
        List<String> replicas = new ArrayList<>();
        for (String r : shard.getReplicasList()) {
            if (!ShardNodes.sameNode(r, newPrimary)) {
                replicas.add(r);
            }
        }
        replicas.add(shard.getPrimary());
        Shard next = shard.toBuilder().setPrimary(newPrimary).clearReplicas().addAllReplicas(replicas)
                .setEpoch(shard.getEpoch() + 1).build();
        if (following.isEmpty()) {
            return ShardStates.withNodes(next, ShardState.SHARD_DEGRADED, "no live replica since the failover to "
                    + newPrimary + " (" + String.join(", ", replicas) + " not following it yet)");
        }
        return ShardStates.withNodes(next, ShardState.SHARD_ACTIVE, "");
    }

    /** Runs the test hook of {@code phase}. */
    void reached(Promoter.Phase phase, FailoverRecord.Builder intent) throws InterruptedException {
        hook.reached(phase, intent.build());
    }
}
