/**
 * Replacing failed shard primaries, on the leader: promoting the best replica when the coordinators
 * agree the primary is down ({@link io.thoonk.coordinator.cluster.NodeHealthView}), planned
 * switchovers, and keeping each shard's replication settings and returning nodes in line with the
 * directory.
 */
package io.thoonk.coordinator.failover;
