package io.thoonk.testing;

/**
 * JUnit 5 extension owning a {@link ZooKeeperEnsemble} (real ZooKeeper servers in the test JVM)
 * for a test class (static field) or a single test (instance field).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(3);
 * }</pre>
 *
 * Tests that also need coordinators use {@code LocalClusterExtension} (module testing-cluster),
 * which gives each test its own ZooKeeper namespace.
 */
public final class ZooKeeperExtension extends OwningExtension<ZooKeeperEnsemble> {

    private final int size;

    private ZooKeeperExtension(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, was " + size);
        }
        this.size = size;
    }

    /** {@code size} servers: 1 for a standalone server, 3 or more for an ensemble. */
    public static ZooKeeperExtension ensemble(int size) {
        return new ZooKeeperExtension(size);
    }

    @Override
    ZooKeeperEnsemble start() {
        return ZooKeeperEnsemble.start(size);
    }

    /** The running servers. */
    public ZooKeeperEnsemble zookeeper() {
        return fixture();
    }

    public String connectString() {
        return zookeeper().connectString();
    }

    /** Stops every server (clients lose their connection). */
    public void stopAll() {
        zookeeper().stopAll();
    }

    /** Restarts every server stopped by {@link #stopAll()}. */
    public void restartAll() {
        zookeeper().restartAll();
    }
}
