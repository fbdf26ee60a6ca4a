/**
 * The leader's decisions, one at a time ({@link Decisions}): placing teams ({@link Placer}),
 * registering and removing shards ({@link ShardRegistry}); the mover and the promoter come here.
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses
 * {@code directory} and {@code shard}.
 */
package io.thoonk.coordinator.placement;
