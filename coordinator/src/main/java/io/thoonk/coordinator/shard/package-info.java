/**
 * Everything that talks to Redis nodes: role and replication checks, team fences, and the
 * periodic probes ({@link NodeProber}, producing {@link NodeReport}s).
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses no other layer.
 */
package io.thoonk.coordinator.shard;
