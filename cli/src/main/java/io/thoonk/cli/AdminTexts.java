package io.thoonk.cli;

import io.thoonk.proto.v1.CoordinatorInfo;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.proto.v1.TeamPlacement;

import java.util.List;
import java.util.Locale;

/** The human-readable forms of the coordinator API's answers. */
final class AdminTexts {

    private static final String NL = System.lineSeparator();

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
        return table.text();
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
        return "leader: " + leader + NL + coordinators.text() + NL + NL + shards(status.getShardsList()) + NL + NL
                + "teams: " + status.getTeamCount() + ", directory revision: " + status.getDirectoryRevision();
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

    /** {@code SHARD_ACTIVE} -> {@code active}, {@code TEAM_FROZEN} -> {@code frozen}. */
    static String state(String enumName) {
        return enumName.substring(enumName.indexOf('_') + 1).toLowerCase(Locale.ROOT);
    }
}
