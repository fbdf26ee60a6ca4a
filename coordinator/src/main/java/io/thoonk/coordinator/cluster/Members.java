package io.thoonk.coordinator.cluster;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.directory.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The live coordinators: each registers an ephemeral {@code /coordinators/<id>} node holding its
 * gRPC address. Curator re-creates the node after a session expiry, so the list names every
 * coordinator that has a ZooKeeper session.
 */
public final class Members implements AutoCloseable {

    /** One live coordinator. */
    public record Member(String id, String address) {
    }

    private final CuratorFramework zk;
    private volatile PersistentNode registration;

    public Members(CuratorFramework zk) {
        this.zk = zk;
    }

    /** Registers this coordinator; returns once the node exists, or throws UNAVAILABLE after {@code timeout}. */
    public synchronized void register(String id, String address, Duration timeout) throws Exception {
        if (registration != null) {
            throw new IllegalStateException("already registered");
        }
        PersistentNode node = new PersistentNode(zk, CreateMode.EPHEMERAL, false, ZkLayout.COORDINATORS + "/" + id,
                address.getBytes(StandardCharsets.UTF_8));
        registration = node;
        node.start();
        if (!node.waitForInitialCreate(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "could not register "
                    + "coordinator '" + id + "' in ZooKeeper within " + timeout.toMillis() + " ms");
        }
    }

    /** Every registered coordinator, read from ZooKeeper now (a member leaving meanwhile is skipped). */
    public List<Member> list() throws Exception {
        List<Member> out = new ArrayList<>();
        for (String child : zk.getChildren().forPath(ZkLayout.COORDINATORS)) {
            try {
                byte[] address = zk.getData().forPath(ZkLayout.COORDINATORS + "/" + child);
                out.add(new Member(child, new String(address, StandardCharsets.UTF_8)));
            } catch (KeeperException.NoNodeException left) {
                // its session ended between the two reads
            }
        }
        return out;
    }

    /** Removes the registration; idempotent. */
    @Override
    public void close() {
        PersistentNode node = registration;
        if (node == null) {
            return;
        }
        try {
            node.close();
        } catch (IOException ignored) {
            // the session ends with the coordinator's Curator client anyway
        }
    }
}
