/**
 * Cluster fixtures: {@link io.thoonk.testing.cluster.Coordinators} (N coordinators in one ZooKeeper
 * namespace, waiting until one leads) and {@link io.thoonk.testing.cluster.LocalCluster} (ZooKeeper,
 * Redis shards, coordinators, shards registered), used by {@code thoonk dev}, the benchmarks and the
 * end-to-end tests ({@link io.thoonk.testing.cluster.LocalClusterExtension}, one namespace per test).
 *
 * <p>Built on the process fixtures of {@code io.thoonk.testing}; a module of its own because it
 * depends on the coordinator, whose own tests use those process fixtures.
 */
package io.thoonk.testing.cluster;
