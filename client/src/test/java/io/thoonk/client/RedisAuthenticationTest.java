package io.thoonk.client;

import io.thoonk.contract.RedisCredentials;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client of one Redis that requires a password ({@code requirepass}, a real redis-server): the
 * password in the URI or in the options reaches every connection (commands, pub/sub, blocking
 * waits); wrong or missing credentials fail at once with {@link RedisAuthenticationException},
 * never as a timeout; the password is never shown. (A cluster client: the {@code it} module's
 * RoutingClientTest.)
 */
class RedisAuthenticationTest {

    static final String SECRET = "client-pw";

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly().withPassword(SECRET);

    /** A long deadline, so that failing at once cannot be the deadline passing. */
    static final Duration DEADLINE = Duration.ofSeconds(20);

    static ThoonkOptions.Builder options() {
        return ThoonkOptions.builder().commandTimeout(DEADLINE);
    }

    static String address() {
        return redis.primary().address();
    }

    @Test
    void the_password_in_the_uri_or_in_the_options_reaches_commands_pub_sub_and_blocking_waits() {
        try (Thoonk byUri = Thoonk.connect(redis.primaryUri(), options().build());
             Thoonk byOptions = Thoonk.connect("redis://" + address(), options()
                     .redisCredentials(RedisCredentials.password(SECRET.toCharArray())).build())) {
            assertThat(redis.primaryUri()).startsWith("redis://:" + SECRET + "@");
            for (Thoonk thoonk : new Thoonk[]{byUri, byOptions}) {
                EventRecorder events = new EventRecorder();
                try (Subscription subscription = thoonk.feed("auth-feed").subscribe(events)) {
                    thoonk.feed("auth-feed").publish("hello");
                    assertThat(events.awaitCount(1)).extracting(Event::type).containsExactly(EventType.PUBLISH);
                }
                thoonk.queue("auth-queue").put("job");
                assertThat(thoonk.queue("auth-queue").get(Duration.ofSeconds(5))).contains("job");
            }
        }
    }

    @Test
    void a_wrong_password_fails_at_once_saying_the_node_refused_it() {
        long start = System.nanoTime();

        assertThatThrownBy(() -> Thoonk.connect("redis://" + address(), options()
                .redisCredentials(RedisCredentials.password("wrong-pw".toCharArray())).build()).close())
                .isInstanceOfSatisfying(RedisAuthenticationException.class, e -> assertThat(e.redis())
                        .isEqualTo(address()))
                .hasMessageStartingWith("Redis at " + address() + " refused the credentials: WRONGPASS")
                .hasMessageEndingWith("(check ThoonkOptions.redisCredentials, or the password in the Redis URI)")
                .hasMessageNotContaining("wrong-pw");
        assertThatThrownBy(() -> Thoonk.connect("redis://:wrong-pw@" + address(), options().build()).close())
                .isInstanceOf(RedisAuthenticationException.class)
                .hasMessageStartingWith("Redis at " + address() + " refused the credentials: WRONGPASS")
                .hasMessageNotContaining("wrong-pw");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(DEADLINE.dividedBy(4));
    }

    @Test
    void no_password_fails_at_once_saying_none_was_given() {
        assertThatThrownBy(() -> Thoonk.connect("redis://" + address(), options().build()).close())
                .isInstanceOf(RedisAuthenticationException.class)
                .hasMessageStartingWith("Redis at " + address() + " refused the credentials: NOAUTH ")
                .hasMessageEndingWith("(none were given: set ThoonkOptions.redisCredentials, or a password in the Redis "
                        + "URI)");
    }

    @Test
    void a_password_given_both_ways_is_refused_without_showing_it() {
        assertThatThrownBy(() -> Thoonk.connect(redis.primaryUri(), options()
                .redisCredentials(RedisCredentials.password(SECRET.toCharArray())).build()).close())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("the Redis URI 'redis://" + address() + "' holds a password and "
                        + "ThoonkOptions.redisCredentials are set too: give them one way");
    }

    @Test
    void the_options_never_show_the_password() {
        ThoonkOptions options = options().redisCredentials(RedisCredentials.of("app", SECRET.toCharArray())).build();

        assertThat(options.toString()).doesNotContain(SECRET).contains("RedisCredentials[user=app, password=****]");
        assertThat(options.toBuilder().build().redisCredentials()).isEqualTo(options.redisCredentials());
        assertThat(ThoonkOptions.defaults().redisCredentials()).isEqualTo(RedisCredentials.none());
    }
}
