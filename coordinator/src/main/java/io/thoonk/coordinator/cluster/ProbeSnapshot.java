package io.thoonk.coordinator.cluster;

import io.thoonk.coordinator.shard.NodeReport;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * What one coordinator tells the others: its latest report on every node it probes. Sent whole
 * (a few hundred bytes a node), so a receiver replaces the sender's previous one and never merges.
 *
 * @param coordinatorId the sender's coordinator id
 * @param sequence      goes up with every snapshot the sender's member sends; an older one arriving late is ignored
 * @param reports       one per node
 */
record ProbeSnapshot(String coordinatorId, long sequence, List<NodeReport> reports) implements Serializable {

    ProbeSnapshot {
        Objects.requireNonNull(coordinatorId, "coordinatorId == null");
        reports = List.copyOf(reports);
    }
}
