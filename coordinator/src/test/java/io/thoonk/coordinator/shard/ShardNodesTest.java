package io.thoonk.coordinator.shard;

import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.testing.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Shard registration checks against real redis-server processes. */
class ShardNodesTest {

    ShardNodes nodes;
    final List<AutoCloseable> started = new ArrayList<>();

    @BeforeEach
    void open() {
        nodes = new ShardNodes(Duration.ofSeconds(5));
    }

    @AfterEach
    void closeAll() throws Exception {
        nodes.close();
        for (AutoCloseable c : started) {
            c.close();
        }
    }

    <T extends AutoCloseable> T own(T resource) {
        started.add(resource);
        return resource;
    }

    /** A primary that starts a replica's first sync at once (Redis waits 5 s for more replicas by default). */
    static RedisProcess primary() {
        return RedisProcess.start("--repl-diskless-sync-delay", "0");
    }

    static void awaitLinkUp(RedisProcess replica) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> replica.call("INFO replication").contains("master_link_status:up"));
    }

    @Test
    void a_replica_of_another_primary_on_the_same_port_of_another_host_is_refused() throws Exception {
        RedisProcess primary = own(primary());
        // Another primary on the same port, on another loopback address (Linux routes 127/8 to lo).
        LoopbackRedis other = own(LoopbackRedis.start("127.0.0.2", primary.port()));
        RedisProcess replicaOfOther = own(RedisProcess.start("--replicaof", "127.0.0.2",
                Integer.toString(other.port)));
        awaitLinkUp(replicaOfOther);

        assertThatThrownBy(() -> nodes.checkShard("127.0.0.1:" + primary.port(),
                List.of("127.0.0.1:" + replicaOfOther.port())))
                .isInstanceOfSatisfying(CoordinatorException.class, e ->
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                .hasMessageContaining("replicates 127.0.0.2:" + primary.port())
                .hasMessageContaining("not the primary 127.0.0.1:" + primary.port());
    }

    @Test
    void localhost_and_127_0_0_1_name_the_same_primary() {
        RedisProcess primary = own(primary());
        String port = Integer.toString(primary.port());
        RedisProcess replicaViaIp = own(RedisProcess.start("--replicaof", "127.0.0.1", port));
        RedisProcess replicaViaLocalhost = own(RedisProcess.start("--replicaof", "localhost", port));
        awaitLinkUp(replicaViaIp);
        awaitLinkUp(replicaViaLocalhost);

        assertThatCode(() -> nodes.checkShard("localhost:" + port,
                List.of("127.0.0.1:" + replicaViaIp.port(), "localhost:" + replicaViaLocalhost.port())))
                .doesNotThrowAnyException();
        assertThatCode(() -> nodes.checkShard("127.0.0.1:" + port, List.of("127.0.0.1:" + replicaViaLocalhost.port())))
                .doesNotThrowAnyException();
    }

    @Test
    void indexing_refuses_a_node_that_is_not_a_primary_and_writes_nothing() {
        RedisProcess primary = own(primary());
        RedisProcess replica = own(RedisProcess.start("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
        awaitLinkUp(replica);
        primary.call("SADD feeds team:1:f");
        await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(replica.call("SCARD feeds")));

        assertThatThrownBy(() -> nodes.indexObjects(replica.address(), name -> "1", p -> { }))
                .isInstanceOfSatisfying(CoordinatorException.class, e ->
                        assertThat(e.reason()).isEqualTo(CoordinatorException.Reason.FAILED_PRECONDITION))
                .hasMessageStartingWith("node " + replica.address() + " is not a primary (ROLE says slave)");
        assertThat(primary.call("EXISTS thoonk.team.objects:1")).isEqualTo("0");
    }

    /**
     * A redis-server bound to one loopback address other than 127.0.0.1, which the shared fixture
     * ({@link RedisProcess}) does not offer: it listens, and is checked, on 127.0.0.1 only.
     */
    static final class LoopbackRedis implements AutoCloseable {
        final String host;
        final int port;
        final Process process;
        final Path directory;

        private LoopbackRedis(String host, int port, Process process, Path directory) {
            this.host = host;
            this.port = port;
            this.process = process;
            this.directory = directory;
        }

        static LoopbackRedis start(String host, int port) throws IOException {
            Path dir = Files.createTempDirectory("thoonk-loopback-redis-");
            Process p = new ProcessBuilder(RedisProcess.findBinary().toString(), "--port", Integer.toString(port),
                    "--bind", host, "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                    "--repl-diskless-sync-delay", "0",
                    "--protected-mode", "no", "--daemonize", "no")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            LoopbackRedis redis = new LoopbackRedis(host, port, p, dir);
            try {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(redis::answersPing);
            } catch (RuntimeException | Error e) {
                redis.close();
                throw e;
            }
            return redis;
        }

        boolean answersPing() throws IOException {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1000);
                socket.setSoTimeout(1000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                return new String(in.readNBytes(7), StandardCharsets.US_ASCII).equals("+PONG\r\n");
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try (var paths = Files.walk(directory)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }
}
