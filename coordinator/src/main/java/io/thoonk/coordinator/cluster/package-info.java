/**
 * The coordinators among themselves: their registrations ({@link Members}) and the election of
 * the one that decides ({@link Leadership}); Hazelcast comes here.
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses
 * {@code directory} (for the ZooKeeper layout).
 */
package io.thoonk.coordinator.cluster;
