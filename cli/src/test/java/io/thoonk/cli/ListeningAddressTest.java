package io.thoonk.cli;

import io.thoonk.cli.CoordinatorSettings.Setting;
import io.thoonk.testing.LocalAddresses;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where {@code thoonk dev} and {@code thoonk coordinator} listen: on loopback only unless every
 * interface is asked for, since nothing they serve is authenticated. Each runs for real in a
 * thread, as from a shell, and is stopped by interrupting it (as Ctrl-C would).
 */
class ListeningAddressTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    private static final Pattern PORT = Pattern.compile("(?m)^\\S+\\s+127\\.0\\.0\\.1:(\\d+)\\s");
    private static final Pattern LOOPBACK = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\(ZooKeeper");
    private static final Pattern EVERYWHERE = Pattern.compile(
            "listening on every interface \\(0\\.0\\.0\\.0:(\\d+)\\) \\(ZooKeeper");

    @Test
    void dev_serves_nothing_beyond_this_machine() throws Exception {
        InetAddress elsewhere = nonLoopbackAddress();
        try (Running dev = Running.start("dev", "--shards", "1", "--port", "0", "--no-demo")) {
            dev.awaitOutput("Running until Ctrl-C");

            List<Integer> ports = new ArrayList<>();
            for (Matcher m = PORT.matcher(dev.out()); m.find(); ) {
                ports.add(Integer.parseInt(m.group(1)));
            }
            assertThat(ports).as("ZooKeeper, three coordinators (gRPC and Hazelcast), a primary and a replica: %s",
                    dev.out()).hasSize(9);
            for (int port : ports) {
                connect(InetAddress.getLoopbackAddress(), port);
                assertThatExceptionOfType(IOException.class).as("port %d from %s", port, elsewhere)
                        .isThrownBy(() -> connect(elsewhere, port));
            }
        }
    }

    @Test
    void a_coordinator_listens_on_loopback_by_default_and_on_every_interface_only_when_asked() throws Exception {
        assumeTrue(Arrays.stream(Setting.values()).allMatch(s -> System.getenv(s.env) == null),
                "a THOONK_* coordinator variable is set: it would change the settings");
        InetAddress elsewhere = nonLoopbackAddress();

        try (Running coordinator = Running.start("coordinator", "--zookeeper", zookeeper.connectString(),
                "--grpc-port", "0", "--cluster-port", "0", "--http-port", "0", "--namespace", "listening-default")) {
            int port = Integer.parseInt(coordinator.awaitMatch(LOOPBACK));
            assertThat(coordinator.out()).contains("serving gRPC on 127.0.0.1:" + port).doesNotContain("warning");
            assertThatExceptionOfType(IOException.class).isThrownBy(() -> connect(elsewhere, port));
        }

        try (Running coordinator = Running.start("coordinator", "--zookeeper", zookeeper.connectString(),
                "--grpc-port", "0", "--cluster-port", "0", "--http-port", "0", "--namespace", "listening-everywhere", "--bind", "0.0.0.0")) {
            int port = Integer.parseInt(coordinator.awaitMatch(EVERYWHERE));
            assertThat(coordinator.out()).contains("serving gRPC on " + InetAddress.getLocalHost().getHostName()
                    + ":" + port, "warning: listening on every interface, and the gRPC API has no authentication");
            connect(elsewhere, port);
        }
    }

    /** A command running in a thread, with what it printed so far; closing interrupts it and waits for its exit. */
    private record Running(Thread thread, StringWriter stdout, StringWriter stderr, CompletableFuture<Integer> exit)
            implements AutoCloseable {

        static Running start(String... args) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> exit = new CompletableFuture<>();
            Thread thread = new Thread(() -> exit.complete(ThoonkCli.execute(new PrintWriter(out, true),
                    new PrintWriter(err, true), args)), "thoonk-" + args[0]);
            thread.start();
            return new Running(thread, out, err, exit);
        }

        String out() {
            return stdout.toString();
        }

        void awaitOutput(String text) {
            await().atMost(Duration.ofSeconds(60)).failFast("the command ended: " + stderr, exit::isDone)
                    .until(() -> out().contains(text));
        }

        String awaitMatch(Pattern pattern) {
            await().atMost(Duration.ofSeconds(60)).failFast("the command ended: " + stderr, exit::isDone)
                    .until(() -> pattern.matcher(out()).find());
            Matcher m = pattern.matcher(out());
            assertThat(m.find()).isTrue();
            return m.group(1);
        }

        @Override
        public void close() throws Exception {
            thread.interrupt();
            assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code; stderr: %s", stderr).isZero();
        }
    }

    private static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    /** An IPv4 address of this machine that is not loopback; the test is skipped on a machine without one. */
    private static InetAddress nonLoopbackAddress() {
        Optional<InetAddress> found = LocalAddresses.nonLoopbackIpv4();
        assumeTrue(found.isPresent(), "this machine has no non-loopback IPv4 address");
        return found.get();
    }
}
