package io.thoonk.cli;

import io.thoonk.proto.v1.CoordinatorInfo;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.IndexShardProgress;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.proto.v1.TeamPlacement;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** The human-readable forms of the coordinator API's answers. */
final class AdminTexts {

    private static final String NL = System.lineSeparator();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    private AdminTexts() {
    }

    static String shards(List<Shard> shards) {
        if (shards.isEmpty()) {
            return "no shards registered (add one with: thoonk admin add-shard ID HOST:PORT --replica HOST:PORT)";
        }
        Table table = new Table("SHARD", "STATE", "PRIMARY", "REPLICAS", "WEIGHT", "EPOCH", "TEAMS");
        for (Shard s : shards) {
            table.row(s.getId(), state(s.getState().name()), s.getPrimary(),
                    s.getReplicasCount() == 0 ? "-" : String.join(",", s.getReplicasList()),
                    s.getWeight(), s.getEpoch(), s.getTeamCount());
        }
        StringBuilder text = new StringBuilder(table.text());
        for (Shard s : shards) {
            if (!s.getStateReason().isEmpty()) {
                text.append(NL).append(s.getId()).append(" is ").append(state(s.getState().name())).append(": ")
                        .append(s.getStateReason());
            }
        }
        return text.toString();
    }

    /**
     * Failovers, newest first: when (UTC), the shard, kind, old and new primary, the epoch, the
     * milliseconds from the start to each phase (detected, decided, promoted, published), the outcome.
     */
    static String failovers(List<FailoverRecord> records) {
        if (records.isEmpty()) {
            return "no failovers yet";
        }
        Table table = new Table("STARTED (UTC)", "SHARD", "KIND", "OLD PRIMARY", "NEW PRIMARY", "EPOCH",
                "DETECTED", "DECIDED", "PROMOTED", "PUBLISHED", "BY", "OUTCOME");
        for (FailoverRecord r : records) {
            boolean promoted = !r.getNewPrimary().isEmpty() && r.getOutcome().equals("promoted");
            table.row(TIME.format(Instant.ofEpochMilli(r.getStartedAtMillis())), r.getShardId(),
                    state(r.getKind().name()), r.getOldPrimary(), r.getNewPrimary().isEmpty() ? "-" : r.getNewPrimary(),
                    r.getEpoch(), millis(r.getDetectedMillis()), millis(r.getDecidedMillis()),
                    promoted ? millis(r.getPromotedMillis()) : "-", promoted ? millis(r.getPublishedMillis()) : "-",
                    r.getCoordinatorId(), r.getOutcome());
        }
        return table.text();
    }

    private static String millis(long ms) {
        return ms + " ms";
    }

    static String failedOver(FailoverResponse r) {
        FailoverRecord f = r.getFailover();
        return "shard " + r.getShard().getId() + ": " + f.getNewPrimary() + " is primary (epoch " + f.getEpoch()
                + "), " + f.getOldPrimary() + " its replica; published " + f.getPublishedMillis()
                + " ms after the call" + NL + shards(List.of(r.getShard()));
    }

    static String shard(String action, Shard s) {
        return action + " shard " + s.getId() + NL + shards(List.of(s));
    }

    static String status(StatusResponse status) {
        Table coordinators = new Table("COORDINATOR", "ADDRESS", "LEADER", "ZOOKEEPER");
        for (CoordinatorInfo c : status.getCoordinatorsList()) {
            coordinators.row(c.getId(), c.getAddress(), c.getLeader() ? "yes" : "no",
                    c.getZookeeperConnected() ? "connected" : "disconnected");
        }
        String leader = status.getLeaderId().isEmpty() ? "none (election in progress)" : status.getLeaderId();
        String quorum = status.getQuorum() ? "yes" : "NO (the coordinator that answered sees fewer than a majority "
                + "of the coordinators, so nothing is decided on its word)";
        return "leader: " + leader + NL + "quorum: " + quorum + NL + coordinators.text() + NL + NL
                + shards(status.getShardsList()) + nodes(status) + NL + NL
                + "teams: " + status.getTeamCount() + ", directory revision: " + status.getDirectoryRevision() + NL + NL
                + "recent failovers:" + NL + failovers(status.getRecentFailoversList());
    }

    /** The nodes' health as each coordinator sees it, after the shards (nothing without shards). */
    private static String nodes(StatusResponse status) {
        if (status.getShardsCount() == 0) {
            return "";
        }
        if (status.getNodesCount() == 0) {
            return NL + NL + "node health: no probe reports yet";
        }
        Table table = new Table("SHARD", "NODE", "SEEN BY", "ROLE", "HEALTH", "OFFSET");
        for (NodeHealth n : status.getNodesList()) {
            table.row(n.getShardId(), n.getNode(), n.getCoordinatorId(), role(n.getRole()), health(n),
                    n.getReplicationOffset());
        }
        return NL + NL + table.text();
    }

    /** Redis' {@code master} and {@code slave} in this project's words. */
    private static String role(String redisRole) {
        return switch (redisRole) {
            case "master" -> "primary";
            case "slave" -> "replica";
            case "" -> "-";
            default -> redisRole;
        };
    }

    private static String health(NodeHealth n) {
        if (!n.getReachable()) {
            return String.format(Locale.ROOT, "down %.1f s (%s)", n.getDownForMillis() / 1000.0, n.getError());
        }
        return n.getRole().equals("slave") && !n.getLinkUp() ? "up, link to primary down" : "up";
    }

    static String placement(TeamPlacement p, Shard shard) {
        Table table = new Table("TEAM", "SHARD", "PRIMARY", "EPOCH", "STATE", "PINNED");
        table.row(p.getTeam(), p.getShardId(), shard == null || shard.getPrimary().isEmpty() ? "-" : shard.getPrimary(),
                p.getEpoch(), state(p.getState().name()), p.getPinned() ? "yes" : "no");
        return table.text();
    }

    static String resolved(ResolveResponse r) {
        return placement(r.getPlacement(), r.hasShard() ? r.getShard() : null);
    }

    static String team(GetTeamResponse r) {
        return placement(r.getPlacement(), r.hasShard() ? r.getShard() : null);
    }

    /** A page's progress of {@code index-shard}, or its summary when it is the last. */
    static String indexProgress(IndexShardProgress p) {
        String seconds = String.format(Locale.ROOT, "%.1f s", p.getElapsedMillis() / 1000.0);
        if (!p.getDone()) {
            return "scanned " + count(p.getScanned(), "name") + ": " + p.getIndexed() + " indexed, " + p.getSkipped()
                    + " skipped, " + p.getPruned() + " pruned (" + seconds + ")";
        }
        return "indexed shard " + p.getShardId() + " (" + p.getPrimary() + ") in " + seconds + ": "
                + count(p.getScanned(), "name") + " scanned, " + p.getIndexed() + " added to their team's index, "
                + p.getSkipped() + " skipped (no valid team in the name), "
                + count(p.getPruned(), "index entry", "index entries") + " of deleted objects removed";
    }

    private static String count(long n, String one) {
        return count(n, one, one + "s");
    }

    private static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** {@code SHARD_ACTIVE} -> {@code active}, {@code TEAM_FROZEN} -> {@code frozen}. */
    static String state(String enumName) {
        return enumName.substring(enumName.indexOf('_') + 1).toLowerCase(Locale.ROOT);
    }
}
