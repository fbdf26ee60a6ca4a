package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Secret;
import io.thoonk.testing.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.thoonk.deploy.Manifests.container;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis containers' start command, configuration and probes, as rendered, run with the real
 * {@code redis-server} and {@code redis-cli}: node 0 starts as a primary that requires the
 * Secret's password, node 1 as its replica, authenticating with it; the probes pass with the
 * password and fail without it. Only the paths and ports differ from a pod (two nodes on one
 * machine), and they are the container's own environment variables.
 */
class RedisNodeCommandTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<Process> nodes = new ArrayList<>();
    private Container redis;
    private String password;
    private Path config;
    @TempDir
    Path work;

    @BeforeEach
    void render() throws IOException {
        Manifests rendered = Chart.defaults().render();
        redis = container(rendered.shards().get(0));
        Secret secret = rendered.named(Secret.class, Chart.PREFIX + "-redis");
        password = new String(Base64.getDecoder().decode(secret.getData().get("redis-password")), StandardCharsets.UTF_8);
        config = work.resolve("redis.conf");
        Files.writeString(config, rendered.named(ConfigMap.class, Chart.PREFIX + "-redis-config").getData()
                .get("redis.conf"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process node : nodes) {
            node.destroy();
            if (!node.waitFor(10, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        }
    }

    @Test
    void node_0_is_a_primary_requiring_the_password_and_node_1_replicates_it_with_the_password() {
        int primaryPort = freePort();
        int replicaPort = freePort();
        start(0, primaryPort, primaryPort);
        start(1, replicaPort, primaryPort);

        Deadline.await(TIMEOUT, "the replica's link to the primary is up",
                () -> cli(replicaPort, true, "info", "replication").contains("master_link_status:up"));
        assertThat(cli(primaryPort, false, "ping")).contains("NOAUTH");
        assertThat(cli(primaryPort, true, "role")).startsWith("master");
        // the primary lists the replica under its stable name (replica-announce-ip), not an IP
        assertThat(cli(primaryPort, true, "info", "replication"))
                .contains("slave0:ip=" + Chart.PREFIX + "-shard-0-1.test,port=" + replicaPort);
        assertThat(cli(primaryPort, true, "set", "k", "v")).contains("OK");
        Deadline.await(TIMEOUT, "the write reaches the replica", () -> cli(replicaPort, true, "get", "k").contains("v"));
        assertThat(cli(primaryPort, true, "config", "get", "maxmemory-policy")).contains("noeviction");
        assertThat(cli(primaryPort, true, "config", "get", "appendonly")).contains("yes");
    }

    @Test
    void the_probes_pass_with_the_password_and_fail_without_it() {
        int port = freePort();
        start(0, port, port);
        Deadline.await(TIMEOUT, "the node answers", () -> cli(port, true, "ping").contains("PONG"));

        for (List<String> probe : List.of(redis.getReadinessProbe().getExec().getCommand(),
                redis.getLivenessProbe().getExec().getCommand())) {
            Map<String, String> env = new HashMap<>(Map.of("REDIS_PORT", Integer.toString(port)));
            assertThat(Shell.run(TIMEOUT, env, null, probe).exitCode()).as("%s without the password", probe)
                    .isNotZero();
            env.put("REDISCLI_AUTH", password);
            assertThat(Shell.run(TIMEOUT, env, null, probe).exitCode()).as("%s with the password", probe).isZero();
        }
    }

    /** Starts node {@code ordinal} of shard 0 with the rendered command, as its pod would. */
    private void start(int ordinal, int port, int primaryPort) {
        Path data = work.resolve("node-" + ordinal);
        Map<String, String> env = new HashMap<>();
        env.put("POD_NAME", Chart.PREFIX + "-shard-0-" + ordinal);
        env.put("POD_HOST", env.get("POD_NAME") + ".test");
        env.put("PRIMARY_HOST", "127.0.0.1");
        env.put("PRIMARY_PORT", Integer.toString(primaryPort));
        env.put("REDIS_PORT", Integer.toString(port));
        env.put("REDIS_DATA_DIR", data.toString());
        env.put("REDIS_CONFIG", config.toString());
        env.put("REDIS_PASSWORD", password);
        try {
            Files.createDirectories(data);
            ProcessBuilder builder = new ProcessBuilder(redis.getCommand())
                    .redirectErrorStream(true).redirectOutput(work.resolve("node-" + ordinal + ".log").toFile());
            builder.environment().putAll(env);
            nodes.add(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String cli(int port, boolean authenticate, String... command) {
        Map<String, String> env = authenticate ? Map.of("REDISCLI_AUTH", password) : Map.of();
        List<String> args = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        args.addAll(List.of(command));
        return Shell.run(TIMEOUT, env, null, args).output();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
