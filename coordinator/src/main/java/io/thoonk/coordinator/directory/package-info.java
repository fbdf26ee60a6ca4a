/**
 * The directory: its durable state in ZooKeeper ({@link DirectoryStore}, {@link ZkLayout}) and
 * every coordinator's in-memory copy ({@link DirectoryCache}, publishing immutable
 * {@link DirectoryView}s).
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses no other layer.
 */
package io.thoonk.coordinator.directory;
