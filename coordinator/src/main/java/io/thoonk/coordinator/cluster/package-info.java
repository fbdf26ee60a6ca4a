/**
 * The coordinators among themselves: their registrations ({@link Members}), the election of the
 * one that decides ({@link Leadership}), their Hazelcast cluster ({@link CoordinatorCluster}:
 * membership and quorum) and what they see of the Redis nodes together ({@link NodeHealthView},
 * implemented by {@link SharedNodeHealth}).
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses
 * {@code directory} (for the ZooKeeper layout and the shards' nodes) and {@code shard} (the
 * probes).
 */
package io.thoonk.coordinator.cluster;
