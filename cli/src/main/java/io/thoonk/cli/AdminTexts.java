package io.thoonk.cli;

import io.thoonk.proto.v1.CoordinatorInfo;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.IndexShardProgress;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.PlannedMove;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.ShardLoad;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.proto.v1.TeamPlacement;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

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
            table.row(s.getId(), shardState(s), s.getPrimary(),
                    s.getReplicasCount() == 0 ? "-" : String.join(",", s.getReplicasList()),
                    s.getWeight(), s.getEpoch(), s.getTeamCount());
        }
        StringBuilder text = new StringBuilder(table.text());
        for (Shard s : shards) {
            if (!s.getStateReason().isEmpty()) {
                text.append(NL).append(s.getId()).append(" is ").append(shardState(s)).append(": ")
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

    /** Whether a move has ended (its stream's last message). */
    static boolean finished(MovePhase phase) {
        return phase == MovePhase.MOVE_DONE || phase == MovePhase.MOVE_CANCELLED || phase == MovePhase.MOVE_ROLLED_BACK;
    }

    /** {@code MOVE_CATCHING_UP} -> {@code catching up}. */
    static String phase(MovePhase phase) {
        return state(phase.name()).replace('_', ' ');
    }

    /**
     * One move in one line, as a progress bar shows it: {@code team 42  s1 -> s2  copying  [#####-----]
     * 510/1000 objects  1.2 MiB  4.1 s  ETA 3.9 s}; a finished move as {@link #moveOutcome}.
     */
    static String moveLine(MoveProgress p) {
        if (finished(p.getPhase())) {
            return moveOutcome(p);
        }
        StringBuilder line = new StringBuilder("team ").append(p.getTeam()).append("  ").append(p.getSourceShardId())
                .append(" -> ").append(p.getTargetShardId()).append("  ").append(phase(p.getPhase()));
        if (p.getObjectsTotal() > 0) {
            line.append("  ").append(bar(p.getObjectsCopied(), p.getObjectsTotal())).append(' ')
                    .append(p.getObjectsCopied()).append('/').append(count(p.getObjectsTotal(), "object"));
        }
        line.append("  ").append(ByteSizes.approximate(p.getBytesCopied()))
                .append("  ").append(Durations.approximate(Duration.ofMillis(p.getElapsedMillis())));
        if (p.getEtaMillis() >= 0) {
            line.append("  ETA ").append(Durations.approximate(Duration.ofMillis(p.getEtaMillis())));
        }
        return line.toString();
    }

    private static String bar(long done, long total) {
        int width = 20;
        int filled = (int) Math.min(width, done * width / Math.max(1, total));
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** How a move ended, in one line. */
    static String moveOutcome(MoveProgress p) {
        String what = "team " + p.getTeam() + " " + p.getSourceShardId() + " -> " + p.getTargetShardId();
        String stats = "in " + Durations.approximate(Duration.ofMillis(p.getElapsedMillis())) + ", write pause "
                + p.getWritePauseMillis() + " ms, " + count(p.getObjectsCopied(), "object") + ", "
                + ByteSizes.approximate(p.getBytesCopied());
        String outcome = p.getOutcome().isEmpty() ? "" : ": " + p.getOutcome();
        return switch (p.getPhase()) {
            case MOVE_DONE -> "moved " + what + " " + stats + " (team epoch " + p.getEpoch() + ")";
            case MOVE_CANCELLED -> "cancelled the move of " + what + " after "
                    + Durations.approximate(Duration.ofMillis(p.getElapsedMillis())) + "; the team stays on "
                    + p.getSourceShardId() + outcome;
            case MOVE_ROLLED_BACK -> "rolled back the move of " + what + " after "
                    + Durations.approximate(Duration.ofMillis(p.getElapsedMillis())) + "; the team stays on "
                    + p.getSourceShardId() + outcome;
            default -> moveLine(p);
        };
    }

    /** {@code thoonk admin moves}: the moves in progress, then the finished ones, newest first. */
    static String moves(ListMovesResponse moves) {
        StringBuilder text = new StringBuilder();
        if (moves.getActiveCount() == 0) {
            text.append("no moves in progress");
        } else {
            Table active = new Table("TEAM", "FROM", "TO", "PHASE", "OBJECTS", "BYTES", "ELAPSED", "ETA");
            for (MoveProgress p : moves.getActiveList()) {
                active.row(p.getTeam(), p.getSourceShardId(), p.getTargetShardId(), phase(p.getPhase()),
                        p.getObjectsCopied() + "/" + p.getObjectsTotal(), ByteSizes.approximate(p.getBytesCopied()),
                        Durations.approximate(Duration.ofMillis(p.getElapsedMillis())),
                        p.getEtaMillis() < 0 ? "-" : Durations.approximate(Duration.ofMillis(p.getEtaMillis())));
            }
            text.append("in progress:").append(NL).append(active.text());
        }
        text.append(NL).append(NL);
        if (moves.getHistoryCount() == 0) {
            return text.append("no finished moves").toString();
        }
        Table history = new Table("STARTED (UTC)", "TEAM", "FROM", "TO", "RESULT", "DURATION", "WRITE PAUSE",
                "OBJECTS", "BYTES", "EPOCH", "OUTCOME");
        for (MoveProgress p : moves.getHistoryList()) {
            history.row(TIME.format(Instant.ofEpochMilli(p.getStartedAtMillis())), p.getTeam(), p.getSourceShardId(),
                    p.getTargetShardId(), phase(p.getPhase()),
                    Durations.approximate(Duration.ofMillis(p.getElapsedMillis())), millis(p.getWritePauseMillis()),
                    p.getObjectsCopied(), ByteSizes.approximate(p.getBytesCopied()),
                    p.getPhase() == MovePhase.MOVE_DONE ? Long.toString(p.getEpoch()) : "-",
                    p.getOutcome().isEmpty() ? "-" : p.getOutcome());
        }
        return text.append("finished (newest first):").append(NL).append(history.text()).toString();
    }

    /** A drain's summary line: how many teams have left the shard. */
    static String drainHeader(DrainProgress p) {
        String counts = p.getTeamsMoved() + "/" + count(p.getTeamsTotal(), "team") + " moved";
        if (p.getDone()) {
            return "drained shard " + p.getShardId() + ": " + counts
                    + (p.getOutcome().isEmpty() ? "" : " (" + p.getOutcome() + ")");
        }
        return "draining shard " + p.getShardId() + ": " + counts + ", " + running(p.getMovesList()) + " in progress";
    }

    /** A rebalance's summary line. */
    static String rebalanceHeader(RebalanceProgress p) {
        String counts = p.getMovesDone() + "/" + count(p.getMovesTotal(), "move") + " done";
        if (p.getDone()) {
            return "rebalanced: " + counts + (p.getOutcome().isEmpty() ? "" : " (" + p.getOutcome() + ")");
        }
        return "rebalancing: " + counts + ", " + running(p.getMovesList()) + " in progress";
    }

    private static long running(List<MoveProgress> moves) {
        return moves.stream().filter(m -> !finished(m.getPhase())).count();
    }

    /**
     * A rebalance plan: each shard's load before and after (teams, memory, operations per second;
     * the strategy's measure first), then the moves.
     */
    static String plan(RebalanceProgress p, RebalanceStrategy strategy) {
        if (p.getPlanCount() == 0) {
            return "the shards are balanced (" + strategyName(strategy) + "): nothing to move";
        }
        Map<String, ShardLoad> after = p.getAfterList().stream()
                .collect(Collectors.toMap(ShardLoad::getShardId, Function.identity(), (a, b) -> b));
        Table loads = new Table("SHARD", "WEIGHT", "TEAMS", "MEMORY", "OPS/S");
        for (ShardLoad before : p.getBeforeList()) {
            ShardLoad then = after.getOrDefault(before.getShardId(), before);
            loads.row(before.getShardId(), before.getWeight(),
                    change(before, then, ShardLoad::getTeams, String::valueOf),
                    change(before, then, ShardLoad::getMemoryBytes, ByteSizes::approximate),
                    before.getOperationsPerSecond() == then.getOperationsPerSecond() ? ops(before)
                            : ops(before) + " -> " + ops(then));
        }
        Table moves = new Table("TEAM", "FROM", "TO", "LOAD");
        for (PlannedMove m : p.getPlanList()) {
            moves.row(m.getTeam(), m.getSourceShardId(), m.getTargetShardId(), load(m.getLoad(), strategy));
        }
        return "plan (" + strategyName(strategy) + "): " + count(p.getPlanCount(), "move") + NL + loads.text() + NL + NL
                + moves.text();
    }

    private static String change(ShardLoad before, ShardLoad after, ToLongFunction<ShardLoad> measure,
                                 LongFunction<String> format) {
        long a = measure.applyAsLong(before);
        long b = measure.applyAsLong(after);
        return a == b ? format.apply(a) : format.apply(a) + " -> " + format.apply(b);
    }

    private static String ops(ShardLoad load) {
        return String.format(Locale.ROOT, "%.0f", load.getOperationsPerSecond());
    }

    private static String load(long load, RebalanceStrategy strategy) {
        return switch (strategy) {
            case REBALANCE_MEMORY -> ByteSizes.approximate(load);
            case REBALANCE_OPERATIONS -> load + " ops/s";
            default -> count(load, "team");
        };
    }

    /** What a strategy evens out, in words. */
    static String strategyName(RebalanceStrategy strategy) {
        return switch (strategy) {
            case REBALANCE_MEMORY -> "memory";
            case REBALANCE_OPERATIONS -> "operations per second";
            default -> "team count";
        };
    }

    /**
     * A shard's state, and its draining mark when the state does not say it: {@code draining},
     * {@code degraded,draining} (a draining shard keeps its mark through failovers).
     */
    static String shardState(Shard s) {
        String state = state(s.getState().name());
        return s.getDraining() && s.getState() != ShardState.SHARD_DRAINING ? state + ",draining" : state;
    }

    /** {@code SHARD_ACTIVE} -> {@code active}, {@code TEAM_FROZEN} -> {@code frozen}. */
    static String state(String enumName) {
        return enumName.substring(enumName.indexOf('_') + 1).toLowerCase(Locale.ROOT);
    }
}
