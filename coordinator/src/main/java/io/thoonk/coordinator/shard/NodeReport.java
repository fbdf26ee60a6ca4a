package io.thoonk.coordinator.shard;

import java.io.Serializable;
import java.util.Objects;

/**
 * One coordinator's latest probe of one Redis node ({@code PING} and {@code INFO replication}),
 * as it shares it with the other coordinators.
 *
 * @param node              the node's address as the directory names it, {@code host:port}
 * @param reachable         the last probe was answered in time
 * @param role              {@code master} or {@code slave} as the node said last ({@code ""} if never reached)
 * @param primary           for a replica, the {@code host:port} of the primary it follows ({@code ""} otherwise)
 * @param linkUp            for a replica, its link to that primary is up ({@code master_link_status:up})
 * @param replicationOffset {@code master_repl_offset} of a primary, {@code slave_repl_offset} of a replica
 * @param connectedReplicas for a primary, its {@code connected_slaves}
 * @param downForMillis     how long this coordinator has seen the node unreachable without a break (0 if reachable)
 * @param error             why the last probe failed ({@code ""} if it did not)
 * @param probedAtMillis    when the last probe ended, epoch milliseconds of the prober's clock
 */
public record NodeReport(String node, boolean reachable, String role, String primary, boolean linkUp,
                         long replicationOffset, int connectedReplicas, long downForMillis, String error,
                         long probedAtMillis) implements Serializable {

    public NodeReport {
        Objects.requireNonNull(node, "node == null");
        Objects.requireNonNull(role, "role == null");
        Objects.requireNonNull(primary, "primary == null");
        Objects.requireNonNull(error, "error == null");
    }

    /** The node answered and says it is a primary. */
    public boolean isPrimary() {
        return reachable && role.equals("master");
    }

    /** The node answered, says it replicates {@code primary}, and its link to it is up. */
    public boolean replicatesFrom(String primary) {
        return reachable && role.equals("slave") && linkUp && ShardNodes.sameNode(this.primary, primary);
    }
}
