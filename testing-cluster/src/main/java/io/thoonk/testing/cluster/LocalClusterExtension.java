package io.thoonk.testing.cluster;

import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.ZooKeeperEnsemble;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JUnit 5 extension owning a {@link LocalCluster}; every test gets its own ZooKeeper namespace (a
 * fresh, empty directory) and its own coordinators, started before it and stopped after it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder()
 *         .zookeeperServers(3).coordinators(3).shards("a", "b").replicasPerShard(1));
 *
 * @Test
 * void something() {
 *     LocalCluster cluster = local.cluster();
 *     ...
 * }
 * }</pre>
 *
 * On a static field, ZooKeeper and the Redis shards run once for the class (the shards are emptied
 * before each test); on an instance field, everything runs per test. The namespace is
 * {@code <TestClass>-<n>}. Whatever the builder says about the namespace is replaced.
 */
public final class LocalClusterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    private final LocalCluster.Builder template;
    private Closer perClass;
    private ZooKeeperEnsemble zookeeper;
    private Map<String, RedisShard> shards;
    private LocalCluster cluster;

    private LocalClusterExtension(LocalCluster.Builder template) {
        this.template = Objects.requireNonNull(template, "template == null");
    }

    /** An extension starting what {@code template} describes (do not change the builder afterwards). */
    public static LocalClusterExtension of(LocalCluster.Builder template) {
        return new LocalClusterExtension(template);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Closer started = new Closer();
        try {
            zookeeper = started.add(ZooKeeperEnsemble.start(template.zookeeperServers()));
            shards = template.startShards(started);
            perClass = started;
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass != null) {
            Closer started = perClass;
            perClass = null;
            started.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String namespace = context.getRequiredTestClass().getSimpleName() + "-" + NAMESPACES.incrementAndGet();
        if (perClass != null) {
            shards.values().forEach(RedisShard::flushAll);
            cluster = template.start(namespace, zookeeper, shards);
        } else {
            cluster = template.start(namespace, null, null);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (cluster != null) {
            LocalCluster running = cluster;
            cluster = null;
            running.close();
        }
    }

    /** The current test's cluster. */
    public LocalCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("no local cluster is running: register LocalClusterExtension with "
                    + "@RegisterExtension and use it from a test or a @BeforeEach method");
        }
        return cluster;
    }
}
