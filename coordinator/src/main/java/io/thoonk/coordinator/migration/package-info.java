/**
 * Team moves, on the leader: a team's objects copied to another shard while it stays in use, a
 * short freeze for the last changes, the directory switched with a higher team epoch, the source
 * cleaned up ({@link io.thoonk.coordinator.migration.Mover}). Every move is recorded in ZooKeeper,
 * so a new leader finishes or rolls back a move its predecessor left. Draining and rebalancing
 * build on {@link io.thoonk.coordinator.migration.Mover#move} and
 * {@link io.thoonk.coordinator.migration.MoveHandle}.
 */
package io.thoonk.coordinator.migration;
