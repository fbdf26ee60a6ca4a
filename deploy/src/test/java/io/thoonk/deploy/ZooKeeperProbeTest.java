package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.thoonk.testing.ZooKeeperEnsemble;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.thoonk.deploy.Manifests.container;
import static io.thoonk.deploy.Manifests.env;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bundled ZooKeeper's readiness probe, as rendered, against a real ZooKeeper server (in this
 * JVM, allowing {@code srvr} as the chart does): ready while the server serves, not ready once it
 * is gone.
 */
class ZooKeeperProbeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void ready_while_the_server_serves_and_not_once_it_is_gone() {
        try (ZooKeeperEnsemble zookeeper = ZooKeeperEnsemble.start(1)) {
            String connect = zookeeper.connectString();
            int port = Integer.parseInt(connect.substring(connect.lastIndexOf(':') + 1));
            Container zk = container(Manifests.only(Chart.defaults().set("zookeeper.clientPort", port).render()
                    .statefulSets("zookeeper")));
            List<String> probe = zk.getReadinessProbe().getExec().getCommand();
            assertThat(env(zk, "ZOO_4LW_COMMANDS_WHITELIST").getValue()).contains("srvr");

            assertThat(Shell.run(TIMEOUT, Map.of(), null, probe).exitCode()).as("ready while serving").isZero();

            zookeeper.stopAll();
            assertThat(Shell.run(TIMEOUT, Map.of(), null, probe).exitCode()).as("not ready when stopped").isNotZero();
        }
    }
}
