/**
 * Process fixtures: real servers on free loopback ports, for the tests of every module, for
 * {@code thoonk dev} / {@code thoonk demo} and for the benchmarks.
 *
 * <ul>
 *   <li>{@link io.thoonk.testing.RedisProcess}: one {@code redis-server} (kill -9, SIGSTOP/SIGCONT, restart);
 *       {@link io.thoonk.testing.RedisShard}: a primary with N replicas, linked;
 *       {@link io.thoonk.testing.SentinelProcess}: one Redis Sentinel monitoring a master (the failover baseline).</li>
 *   <li>{@link io.thoonk.testing.ZooKeeperEnsemble}: one ZooKeeper server or an ensemble in this JVM
 *       (curator-test), data in temporary directories.</li>
 *   <li>JUnit 5 extensions that own a fixture's lifecycle: {@link io.thoonk.testing.RedisShardExtension},
 *       {@link io.thoonk.testing.ZooKeeperExtension}. They are the only classes here that use JUnit, which
 *       is an optional dependency of this module: tools that run the plain fixtures do not carry it.</li>
 * </ul>
 *
 * <p>Coordinators and whole local clusters (ZooKeeper + coordinators + registered shards) are in
 * {@code io.thoonk.testing.cluster} (module testing-cluster), which depends on the coordinator; this
 * module depends on no Thoonk module, so every module's tests can use it.
 *
 * <p>Every start, stop and wait has a deadline and fails with a {@link io.thoonk.testing.FixtureException}
 * ({@link io.thoonk.testing.FixtureTimeoutException} when the deadline passed) naming the process; the
 * {@link io.thoonk.testing.Reaper} closes what is still running when the JVM exits.
 */
package io.thoonk.testing;
