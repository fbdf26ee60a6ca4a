package io.thoonk.testing;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension running a real ZooKeeper ensemble in the test JVM (curator-test
 * {@link TestingCluster}) for a test class. Fault tests can stop and restart its servers.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(3);
 * }</pre>
 */
public final class ZooKeeperExtension implements BeforeAllCallback, AfterAllCallback {

    private final int size;
    private TestingCluster cluster;

    private ZooKeeperExtension(int size) {
        this.size = size;
    }

    public static ZooKeeperExtension ensemble(int size) {
        return new ZooKeeperExtension(size);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = new TestingCluster(size);
        cluster.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    public String connectString() {
        return cluster().getConnectString();
    }

    public TestingCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("ZooKeeper is not running: register the extension as a static field");
        }
        return cluster;
    }

    /** Stops every server of the ensemble (clients lose their connection). */
    public void stopAll() throws Exception {
        for (InstanceSpec spec : cluster().getInstances()) {
            cluster().killServer(spec);
        }
    }

    /** Restarts every server stopped by {@link #stopAll()}. */
    public void restartAll() throws Exception {
        for (InstanceSpec spec : cluster().getInstances()) {
            cluster().restartServer(spec);
        }
    }
}
