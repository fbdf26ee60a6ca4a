package io.thoonk.testing;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RedisProcessTest {

    @Test
    void starts_on_loopback_answers_and_close_kills_it_and_deletes_its_directory() {
        RedisProcess redis = RedisProcess.start();
        Path directory = directoryOf(redis);
        int port = redis.port();
        try {
            assertThat(redis.address()).isEqualTo("127.0.0.1:" + port);
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + port);
            assertThat(redis.call("SET k v")).isEqualTo("OK");
            assertThat(redis.call("GET k")).isEqualTo("v");
            assertThat(redis.call("GET missing")).isNull();
            assertThat(redis.call("CONFIG GET bind")).isEqualTo("bind\n127.0.0.1");
            assertThat(directory).isDirectory();
        } finally {
            redis.close();
        }
        assertThat(redis.isAlive()).isFalse();
        assertRefused(port);
        assertThat(directory).doesNotExist();
        redis.close(); // idempotent
    }

    @Test
    void a_killed_server_restarts_on_the_same_port_with_the_same_arguments() {
        try (RedisProcess redis = RedisProcess.start("--maxmemory", "12345678")) {
            int port = redis.port();
            long pid = redis.pid();
            redis.kill();
            assertThat(redis.isAlive()).isFalse();
            assertRefused(port);

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            assertThat(redis.pid()).isNotEqualTo(pid);
            assertThat(redis.call("CONFIG GET maxmemory")).isEqualTo("maxmemory\n12345678");
        }
    }

    @Test
    void a_paused_server_answers_nothing_until_resumed() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            redis.pause();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", redis.port()), 1000);
                socket.setSoTimeout(300);
                socket.getOutputStream().write("PING\r\n".getBytes());
                assertThatExceptionOfType(java.net.SocketTimeoutException.class)
                        .isThrownBy(() -> socket.getInputStream().read());
            } finally {
                redis.resume();
            }
            assertThat(redis.call("PING")).isEqualTo("PONG");
        }
    }

    @Test
    void a_server_that_exits_at_start_says_why_and_leaves_nothing_behind() throws IOException {
        FixtureException e = catchThrowableOfType(FixtureException.class,
                () -> RedisProcess.start("--no-such-directive", "1"));
        assertThat(e).hasMessageContaining("exited at start").hasMessageContaining("no-such-directive");
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(dirs.filter(d -> d.getFileName().toString().startsWith("thoonk-redis-"))
                    .map(d -> d.resolve("stdout.log")).filter(Files::isReadable)
                    .filter(log -> read(log).contains("no-such-directive")))
                    .as("the failed server's directory").isEmpty();
        }
    }

    @Test
    void a_server_on_another_loopback_address_shares_the_port_number_and_a_taken_port_says_so() {
        try (RedisProcess first = RedisProcess.start();
             RedisProcess second = RedisProcess.startOn("127.0.0.2", first.port(), "--maxmemory", "12345678")) {
            assertThat(second.host()).isEqualTo("127.0.0.2");
            assertThat(second.port()).isEqualTo(first.port());
            assertThat(second.address()).isEqualTo("127.0.0.2:" + first.port());
            assertThat(second.uri()).isEqualTo("redis://127.0.0.2:" + first.port());
            assertThat(second.call("CONFIG GET bind")).isEqualTo("bind\n127.0.0.2");
            assertThat(second.call("CONFIG GET maxmemory")).isEqualTo("maxmemory\n12345678");
            second.call("SET where second");
            assertThat(first.call("GET where")).as("two servers, not one").isNull();

            assertThatThrownBy(() -> RedisProcess.startOn("127.0.0.2", first.port()))
                    .isInstanceOf(FixtureException.class).hasMessageContaining("exited at start");
        }
    }

    @Test
    void only_loopback_addresses_are_offered() {
        assertThatThrownBy(() -> RedisProcess.startOn("192.0.2.1", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host must be a loopback address (such as 127.0.0.1 or 127.0.0.2), was 192.0.2.1");
        assertThatThrownBy(() -> RedisProcess.startOn("127.0.0.1", 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 0..65535, was 65536");
    }

    @Test
    void a_closed_server_cannot_restart() {
        RedisProcess redis = RedisProcess.start();
        redis.close();
        assertThatThrownBy(redis::restart).isInstanceOf(FixtureException.class).hasMessageContaining("is closed");
    }

    static Path directoryOf(RedisProcess redis) {
        return Path.of(redis.call("CONFIG GET dir").split("\n")[1]);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException vanished) {
            return "";
        }
    }

    static void assertRefused(int port) {
        assertThatExceptionOfType(IOException.class).as("nothing listens on port %d", port).isThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            }
        });
    }
}
