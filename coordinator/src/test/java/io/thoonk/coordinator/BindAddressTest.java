package io.thoonk.coordinator;

import io.thoonk.testing.LocalAddresses;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the unauthenticated gRPC API listens: loopback unless another address is asked for, and
 * an advertised host that could not reach the listening socket is refused before anything starts.
 */
class BindAddressTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    static final AtomicInteger namespaces = new AtomicInteger();

    final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    CoordinatorConfig.Builder config() {
        return CoordinatorConfig.builder(zookeeper.connectString()).id("c" + namespaces.incrementAndGet())
                .namespace("bind-address-test-" + namespaces.get()).grpcPort(0).clusterPort(0).httpPort(0);
    }

    Coordinator start(CoordinatorConfig config) throws Exception {
        Coordinator c = Coordinator.start(config);
        opened.add(c);
        return c;
    }

    @Test
    void by_default_it_listens_on_loopback_only_and_advertises_it() throws Exception {
        InetAddress elsewhere = nonLoopbackAddress();

        Coordinator c = start(config().build());

        assertThat(c.listenAddress().getAddress().isLoopbackAddress()).as(c.describeListening()).isTrue();
        assertThat(c.describeListening()).isEqualTo("127.0.0.1:" + c.port());
        assertThat(c.address()).isEqualTo("127.0.0.1:" + c.port());
        assertThat(c.clusterAddress()).startsWith("127.0.0.1:");
        assertConnects(InetAddress.getLoopbackAddress(), c.port());
        assertThatExceptionOfType(IOException.class).as("connecting to %s:%d", elsewhere, c.port())
                .isThrownBy(() -> connect(elsewhere, c.port()));
    }

    @Test
    void every_interface_must_be_asked_for_and_then_it_advertises_this_machines_host_name() throws Exception {
        InetAddress elsewhere = nonLoopbackAddress();

        Coordinator c = start(config().bind("0.0.0.0").build());

        assertThat(c.listenAddress().getAddress().isAnyLocalAddress()).isTrue();
        assertThat(c.describeListening()).isEqualTo("every interface (0.0.0.0:" + c.port() + ")");
        assertThat(c.address()).isEqualTo(InetAddress.getLocalHost().getHostName() + ":" + c.port());
        assertConnects(elsewhere, c.port());
        assertConnects(InetAddress.getLoopbackAddress(), c.port());
    }

    @Test
    void one_interface_is_advertised_as_itself() throws Exception {
        InetAddress elsewhere = nonLoopbackAddress();

        Coordinator c = start(config().bind(elsewhere.getHostAddress()).build());

        assertThat(c.address()).isEqualTo(elsewhere.getHostAddress() + ":" + c.port());
        assertThat(c.clusterAddress()).startsWith(elsewhere.getHostAddress() + ":");
        assertConnects(elsewhere, c.port());
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> connect(InetAddress.getLoopbackAddress(),
                c.port()));
    }

    @Test
    void a_host_that_cannot_reach_the_listening_socket_is_refused_before_anything_starts() {
        assertThatThrownBy(() -> start(config().host("10.1.2.3").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host '10.1.2.3' is advertised to clients and other coordinators, but the coordinator "
                        + "would listen on 127.0.0.1 (loopback) only, where they cannot reach it; set bind to this "
                        + "machine's address that '10.1.2.3' reaches, or to 0.0.0.0 for every interface");
        assertThatThrownBy(() -> start(config().bind("10.1.2.3").host("localhost").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("host 'localhost' (loopback) is advertised");
        assertThatThrownBy(() -> start(config().bind("no-such-host.invalid").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bind address 'no-such-host.invalid' does not resolve");
    }

    /** An IPv4 address of this machine that is not loopback; the test is skipped on a machine without one. */
    static InetAddress nonLoopbackAddress() {
        Optional<InetAddress> found = LocalAddresses.nonLoopbackIpv4();
        assumeTrue(found.isPresent(), "this machine has no non-loopback IPv4 address");
        return found.get();
    }

    static void connect(InetAddress address, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
        }
    }

    static void assertConnects(InetAddress address, int port) throws IOException {
        connect(address, port);
    }
}
