package io.thoonk.contract;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShardExtension;
import io.lettuce.core.codec.StringCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Credentials on a real redis-server with {@code requirepass}: accepted, refused, and never shown. */
class RedisCredentialsTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly().withPassword("s3cret");

    private static final RedisClient client = RedisClient.create();

    @AfterAll
    static void shutdown() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    private static RedisURI uri(RedisProcess node, RedisCredentials credentials) {
        return credentials.applyTo(RedisURI.builder().withHost(node.host()).withPort(node.port())
                .withTimeout(Duration.ofSeconds(5))).build();
    }

    @Test
    void the_password_alone_authenticates_as_the_default_user_and_a_user_with_it_too() {
        for (RedisCredentials credentials : new RedisCredentials[]{RedisCredentials.password("s3cret".toCharArray()),
                RedisCredentials.of("default", "s3cret".toCharArray())}) {
            try (StatefulRedisConnection<String, String> c = client.connect(uri(redis.primary(), credentials))) {
                assertThat(c.sync().aclWhoami()).isEqualTo("default");
            }
        }
    }

    /** Opened as coordinators and clients open connections: {@link RedisConnections#open}. */
    private static Throwable connectFailure(RedisCredentials credentials) {
        return catchThrowable(() -> RedisConnections.open(() -> client.connectAsync(StringCodec.UTF8,
                uri(redis.primary(), credentials))).get(5, TimeUnit.SECONDS));
    }

    /** Repeated: a lone connect loses the reason now and then (see {@link RedisConnections}); opened again, it never does. */
    @RepeatedTest(30)
    void a_wrong_password_a_wrong_user_and_no_password_are_refusals() {
        Throwable wrong = connectFailure(RedisCredentials.password("nope".toCharArray()));
        Throwable unknownUser = connectFailure(RedisCredentials.of("bob", "s3cret".toCharArray()));
        Throwable none = connectFailure(RedisCredentials.none());

        assertThat(RedisCredentials.refusal(wrong)).as(chain(wrong)).hasValueSatisfying(r -> assertThat(r).startsWith("WRONGPASS"));
        assertThat(RedisCredentials.refusal(unknownUser)).as(chain(unknownUser)).hasValueSatisfying(r -> assertThat(r).startsWith("WRONGPASS"));
        assertThat(RedisCredentials.refusal(none)).as(chain(none)).hasValueSatisfying(r -> assertThat(r).startsWith("NOAUTH"));
    }

    private static String chain(Throwable error) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            out.append(" <- ").append(t);
        }
        return out.toString();
    }

    @Test
    void a_node_without_a_password_takes_credentials_and_other_failures_are_no_refusals() {
        try (RedisProcess open = RedisProcess.start();
             StatefulRedisConnection<String, String> c = client.connect(uri(open,
                     RedisCredentials.password("anything".toCharArray())))) {
            assertThat(c.sync().ping()).isEqualTo("PONG");
            Throwable notAnAuthError = catchThrowable(() -> c.sync().incr("x-" + c.sync().set("x", "text")));
            assertThat(RedisCredentials.refusal(notAnAuthError)).isEmpty();
        }
        assertThat(RedisCredentials.refusal(new java.io.IOException("Connection refused"))).isEmpty();
    }

    @Test
    void only_a_connect_whose_handshake_lost_its_reason_is_opened_again() throws Exception {
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        Throwable lost = catchThrowable(() -> RedisConnections.open(() -> {
            attempts.incrementAndGet();
            return java.util.concurrent.CompletableFuture.failedFuture(new io.lettuce.core.RedisConnectionException(
                    "Unable to connect", new IllegalStateException("RedisHandshakeHandler not registered")));
        }).join());
        assertThat(RedisConnections.lostReason(lost)).isTrue();
        assertThat(attempts).hasValue(RedisConnections.ATTEMPTS);

        attempts.set(0);
        Throwable refused = catchThrowable(() -> RedisConnections.open(() -> {
            attempts.incrementAndGet();
            return java.util.concurrent.CompletableFuture.failedFuture(new java.net.ConnectException("Connection refused"));
        }).join());
        assertThat(refused).hasRootCauseInstanceOf(java.net.ConnectException.class);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void the_password_is_copied_and_never_shown() {
        char[] password = "s3cret".toCharArray();
        RedisCredentials credentials = RedisCredentials.of("app", password);
        password[0] = 'X';

        assertThat(credentials).isEqualTo(RedisCredentials.of("app", "s3cret".toCharArray()));
        assertThat(credentials.toString()).isEqualTo("RedisCredentials[user=app, password=****]")
                .doesNotContain("s3cret");
        assertThat(RedisCredentials.none().toString()).isEqualTo("RedisCredentials[none]");
        assertThat(RedisCredentials.none().isPresent()).isFalse();
        assertThat(RedisCredentials.password("p".toCharArray()).username()).contains(RedisCredentials.DEFAULT_USER);
    }

    @Test
    void an_empty_password_or_a_user_name_with_spaces_is_refused() {
        assertThatThrownBy(() -> RedisCredentials.password(new char[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RedisCredentials.none()");
        assertThatThrownBy(() -> RedisCredentials.of("a b", "p".toCharArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
    }
}
