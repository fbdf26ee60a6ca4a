package io.thoonk.coordinator.shard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one Redis node said about its replication when the coordinator asked it directly
 * ({@code INFO replication}), or why it did not answer: the input of promotion and upkeep
 * decisions, read fresh for each one (never from a cache).
 *
 * @param node         the node's address as the directory names it, {@code host:port}
 * @param reachable    it answered in time
 * @param role         {@code master} or {@code slave} ({@code ""} when not reachable)
 * @param primary      for a replica, the {@code host:port} it is configured to follow ({@code ""} otherwise)
 * @param linkUp       for a replica, {@code master_link_status:up}
 * @param syncing      for a replica, a full sync is in progress (its data set is being replaced)
 * @param everSynced   for a replica, it has been in sync with its primary since it started (Redis reports
 *                     {@code master_link_down_since_seconds:-1} for one that never was: restarted empty, say)
 * @param offset       {@code slave_repl_offset} of a replica, {@code master_repl_offset} of a primary
 * @param failingOver  for a primary, a {@code FAILOVER} is under way ({@code master_failover_state} is not
 *                     {@code no-failover})
 * @param onlineReplicaLags for a primary, the lag (seconds since its last acknowledgement) of each replica it
 *                     lists as {@code state=online}: what {@code min-replicas-to-write} counts
 * @param error        why it did not answer ({@code ""} when reachable)
 */
public record NodeReplication(String node, boolean reachable, String role, String primary, boolean linkUp,
                              boolean syncing, boolean everSynced, long offset, boolean failingOver,
                              List<Long> onlineReplicaLags, String error) {

    public NodeReplication {
        Objects.requireNonNull(node, "node == null");
        Objects.requireNonNull(role, "role == null");
        Objects.requireNonNull(primary, "primary == null");
        onlineReplicaLags = List.copyOf(onlineReplicaLags);
        Objects.requireNonNull(error, "error == null");
    }

    /** A node that did not answer. */
    public static NodeReplication unreachable(String node, String error) {
        return new NodeReplication(node, false, "", "", false, false, false, 0, false, List.of(), error);
    }

    /** Reads the text of {@code INFO replication} as {@code node} answered it. */
    public static NodeReplication parse(String node, String info) {
        Map<String, String> fields = new HashMap<>();
        List<Long> onlineLags = new ArrayList<>();
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
            if (line.matches("slave\\d+:.*") && line.contains("state=online")) {
                int lag = line.indexOf("lag=");
                onlineLags.add(lag < 0 ? 0 : number(line.substring(lag + 4).split(",")[0].trim()));
            }
        }
        String role = fields.getOrDefault("role", "");
        boolean replica = role.equals("slave");
        String primary = replica ? fields.getOrDefault("master_host", "") + ":" + fields.getOrDefault("master_port", "")
                : "";
        boolean linkUp = replica && "up".equals(fields.get("master_link_status"));
        boolean everSynced = replica && (linkUp || !"-1".equals(fields.getOrDefault("master_link_down_since_seconds",
                "-1")));
        long offset = number(fields.get(replica ? "slave_repl_offset" : "master_repl_offset"));
        boolean failingOver = !"no-failover".equals(fields.getOrDefault("master_failover_state", "no-failover"));
        return new NodeReplication(node, true, role, primary, linkUp,
                "1".equals(fields.get("master_sync_in_progress")), everSynced, offset, failingOver, onlineLags, "");
    }

    private static long number(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** It answered and says it is a primary. */
    public boolean isPrimary() {
        return reachable && role.equals("master");
    }

    /** It answered and says it is a replica (following any node). */
    public boolean isReplica() {
        return reachable && role.equals("slave");
    }

    /**
     * For a primary, how many replicas count for {@code min-replicas-to-write} with
     * {@code min-replicas-max-lag} = {@code maxLagSeconds}: online, and acknowledged within that lag.
     */
    public int goodReplicas(long maxLagSeconds) {
        return (int) onlineReplicaLags.stream().filter(lag -> lag <= maxLagSeconds).count();
    }

    /** It answered as a replica configured to follow {@code primary} (by resolved address). */
    public boolean follows(String primary) {
        return isReplica() && ShardNodes.sameNode(this.primary, primary);
    }

    /** It follows {@code primary} and its link to it is up: a live replica of it. */
    public boolean liveReplicaOf(String primary) {
        return follows(primary) && linkUp;
    }

    /**
     * It can be promoted in place of {@code primary} without losing what it held: a replica of it
     * that has been in sync since it started and is not in the middle of a full sync.
     */
    public boolean promotableFrom(String primary) {
        return follows(primary) && everSynced && !syncing;
    }

    /** Why it cannot be promoted in place of {@code primary}, for a person ({@code ""} if it can). */
    public String whyNotPromotable(String primary) {
        if (!reachable) {
            return node + " unreachable (" + error + ")";
        }
        if (!isReplica()) {
            return node + " answers as " + role + ", not as a replica";
        }
        if (!follows(primary)) {
            return node + " follows " + this.primary + ", not " + primary;
        }
        if (!everSynced) {
            return node + " has not been in sync with " + primary + " since it started";
        }
        if (syncing) {
            return node + " is in the middle of a full sync";
        }
        return "";
    }
}
