/**
 * Team moves, on the leader: a team's objects copied to another shard while it stays in use, a
 * short freeze for the last changes, the directory switched with a higher team epoch, the source
 * cleaned up ({@link io.thoonk.coordinator.migration.Mover}). Every move is recorded in ZooKeeper,
 * so a new leader finishes or rolls back a move its predecessor left. Draining a shard and
 * rebalancing teams ({@link io.thoonk.coordinator.migration.Rebalancer}) run batches of such moves,
 * a bounded number at a time, observed through a
 * {@link io.thoonk.coordinator.migration.BatchHandle}.
 */
package io.thoonk.coordinator.migration;
