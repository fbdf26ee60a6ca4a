package io.thoonk.testing;

import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZooKeeperEnsembleTest {

    @Test
    void a_standalone_server_serves_on_loopback_and_close_deletes_its_data() throws Exception {
        ZooKeeperEnsemble zookeeper = ZooKeeperEnsemble.start(1);
        List<Path> directories = zookeeper.directories();
        try {
            assertThat(zookeeper.connectString()).matches("127\\.0\\.0\\.1:\\d+");
            assertThat(directories).hasSize(1)
                    .allSatisfy(d -> assertThat(d.getFileName().toString()).startsWith("thoonk-zookeeper-"))
                    .allSatisfy(d -> assertThat(d).isDirectory());
            try (ZooKeeper client = connect(zookeeper.connectString())) {
                client.create("/hello", "world".getBytes(), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                assertThat(new String(client.getData("/hello", false, null))).isEqualTo("world");
            }
        } finally {
            zookeeper.close();
        }
        assertThat(directories).allSatisfy(d -> assertThat(d).doesNotExist());
        zookeeper.close(); // idempotent
        assertThatThrownBy(() -> zookeeper.restart(0)).isInstanceOf(FixtureException.class);
    }

    @Test
    void an_ensemble_keeps_its_data_across_a_stop_and_restart_of_every_server() throws Exception {
        try (ZooKeeperEnsemble zookeeper = ZooKeeperEnsemble.start(3)) {
            assertThat(zookeeper.connectString().split(",")).hasSize(3);
            try (ZooKeeper client = connect(zookeeper.connectString())) {
                client.create("/kept", new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
            }
            zookeeper.stopAll();
            zookeeper.restartAll();
            try (ZooKeeper client = connect(zookeeper.connectString())) {
                assertThat(client.exists("/kept", false)).isNotNull();
            }
        }
    }

    static ZooKeeper connect(String connectString) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = new ZooKeeper(connectString, 10_000, e -> {
            if (e.getState() == KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(20, TimeUnit.SECONDS)) {
            client.close();
            throw new AssertionError("no connection to " + connectString);
        }
        return client;
    }
}
