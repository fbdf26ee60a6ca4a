package io.thoonk.client;

import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a library user reads when a client cannot connect: the address as they wrote it (no
 * {@code 127.0.0.1/<unresolved>:6379}), why in plain words, and what a wrong address really is (a
 * database the server lacks, a Redis port given as a coordinator).
 */
class ConnectFailureTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    private static final ThoonkOptions QUICK = ThoonkOptions.builder().commandTimeout(Duration.ofSeconds(3)).build();

    @Test
    void refused_redis_names_the_address_as_written() throws IOException {
        int port = closedPort();

        assertThatThrownBy(() -> Thoonk.connect("redis://127.0.0.1:" + port, QUICK).close())
                .isInstanceOf(ThoonkConnectionException.class)
                .hasMessage("cannot connect to Redis at 127.0.0.1:" + port + ": Connection refused");
    }

    @Test
    void missing_database_is_reported_as_such_with_the_servers_count() {
        String uri = "redis://" + redis.primary().address() + "/20";

        assertThatThrownBy(() -> Thoonk.connect(uri, QUICK).close())
                .isInstanceOf(ThoonkConnectionException.class)
                .hasMessage("Redis at " + redis.primary().address() + " has no database 20 (it has 16: 0-15)");
    }

    @Test
    void a_redis_port_given_as_coordinator_is_named_as_not_a_coordinator() {
        String address = redis.primary().address();

        assertThatThrownBy(() -> Thoonk.connectCluster(List.of(address), QUICK).close())
                .isInstanceOf(ThoonkConnectionException.class)
                .hasMessageContaining(address + " does not speak the coordinator's gRPC API: is this a Redis port?")
                .hasMessageNotContaining("http2");
    }

    @Test
    void unreachable_coordinator_says_why_in_plain_words() throws IOException {
        String address = "127.0.0.1:" + closedPort();

        assertThatThrownBy(() -> Thoonk.connectCluster(List.of(address), QUICK).close())
                .isInstanceOf(ThoonkConnectionException.class)
                .hasMessage("cannot list the shards: no coordinator answered at " + address + " (Connection refused)");
    }

    @Test
    void a_coordinator_that_accepts_but_never_answers_fails_at_the_deadline_in_plain_words() throws IOException {
        // like a paused (SIGSTOP) coordinator: the kernel accepts the connection, nothing answers
        try (ServerSocket silent = new ServerSocket(0)) {
            String address = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();

            assertThatThrownBy(() -> Thoonk.connectCluster(List.of(address), QUICK).close())
                    .isInstanceOf(ThoonkConnectionException.class)
                    .hasMessage("cannot list the shards: no coordinator answered at " + address
                            + " (no answer within 3000 ms)");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
        }
    }

    /** A port nothing listens on (free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
