package io.thoonk.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a person sees on the console, with the CLI in a process of its own (as {@code ./thoonk}
 * runs it): one clear line per failure, no library stack traces or log records unless
 * {@code --verbose} asks for them.
 */
class ConsoleTest {

    private static final Duration RUN = Duration.ofSeconds(60);
    private static final Pattern COORDINATOR = Pattern.compile("^coordinator\\s+127\\.0\\.0\\.1:(\\d+)\\s");

    @TempDir
    Path dir;

    @Test
    void a_data_command_whose_coordinator_cannot_be_found_prints_one_line() {
        CliProcess cli = CliProcess.run(dir.resolve("dev.json"), RUN,
                "feed", "publish", "team.1.news", "hi", "--coordinator", "nosuchhost.invalid:7400");

        assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err()).as(cli.toString()).hasSize(1);
        assertThat(cli.err().get(0)).startsWith("thoonk: cannot list the shards: no coordinator answered at "
                + "nosuchhost.invalid:7400 (");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void verbose_shows_what_the_libraries_log_gRPC_included() {
        CliProcess cli = CliProcess.run(dir.resolve("dev.json"), RUN,
                "--verbose", "feed", "publish", "team.1.news", "hi", "--coordinator", "nosuchhost.invalid:7400");

        assertThat(cli.exitCode()).as(cli.toString()).isEqualTo(1);
        assertThat(cli.err()).as("gRPC's java.util.logging records, through SLF4J and logback")
                .anyMatch(line -> line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN .* io\\.grpc\\..*"));
        assertThat(cli.err().get(cli.err().size() - 1)).startsWith("thoonk: cannot list the shards");
    }

    @Test
    void thoonk_dev_says_nothing_when_something_other_than_gRPC_connects_and_removes_its_record_on_SIGTERM()
            throws IOException {
        Path record = dir.resolve("dev.json");
        try (CliProcess dev = CliProcess.start(record, "dev", "--shards", "1", "--port", "0", "--no-demo")) {
            await().atMost(RUN).failFast("thoonk dev exited", () -> !dev.isAlive())
                    .until(() -> Files.exists(record) && dev.out().contains("Running until Ctrl-C, which stops the "
                            + "3 coordinators, ZooKeeper and the 2 redis-server processes."));
            int port = coordinatorPort(dev);

            httpGet(port); // returns once the coordinator hung up
            CliRunner.Result status = CliRunner.runExactly("admin", "status", "--coordinator", "127.0.0.1:" + port);
            assertThat(status.exitCode()).as(status.toString()).isZero();

            assertThat(dev.stop()).as("killed by SIGTERM, after its shutdown hook: %s", dev).isEqualTo(128 + 15);
            assertThat(record).as("removed when thoonk dev stops: %s", dev).doesNotExist();
            assertThat(dev.err()).as(dev.toString()).isEmpty();
            assertThat(dev.out()).contains("Stopping...");
        }
    }

    @Test
    void thoonk_coordinator_says_at_once_what_it_waits_for() throws IOException {
        int port = closedPort();
        try (CliProcess coordinator = CliProcess.start(dir.resolve("dev.json"), "coordinator", "--zookeeper",
                "127.0.0.1:" + port, "--grpc-port", "0")) {
            await().atMost(Duration.ofSeconds(15)).until(() -> !coordinator.out().isEmpty());

            assertThat(coordinator.out().get(0)).isEqualTo("waiting for ZooKeeper at 127.0.0.1:" + port
                    + " (up to 30s)...");
            assertThat(coordinator.err()).isEmpty();
        }
    }

    /** The coordinator's port in {@code thoonk dev}'s table, or 0 before it is printed. */
    private static int coordinatorPort(CliProcess dev) {
        for (String line : dev.out()) {
            Matcher m = COORDINATOR.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    /** Sends an HTTP/1.1 request to {@code port} and reads what comes back until the server hangs up. */
    private static void httpGet(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }
    }

    private static int closedPort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
