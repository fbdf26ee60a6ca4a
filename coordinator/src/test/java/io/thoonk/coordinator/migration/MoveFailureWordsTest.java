package io.thoonk.coordinator.migration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.thoonk.contract.TeamCopyException;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The words of a move's outcome for what Redis did, from failures of a real redis-server: the
 * shard, its node and what happened there, never a Java class name.
 */
class MoveFailureWordsTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    static final Duration TIMEOUT = Duration.ofMillis(300);

    static RedisException failureOf(Runnable call) {
        try {
            call.run();
        } catch (RedisException e) {
            return e;
        }
        throw new AssertionError("the call did not fail");
    }

    String words(RedisException e) {
        return FailureWords.of(e, "s2", redis.primary().address(), TIMEOUT);
    }

    @Test
    void refusals_timeouts_and_lost_connections_read_as_what_happened_on_which_shard() {
        String at = "shard 's2' (" + redis.primary().address() + ")";
        RedisClient client = RedisClient.create(redis.primaryUri());
        try (StatefulRedisConnection<String, String> c = client.connect();
             StatefulRedisConnection<String, String> script = client.connect()) {
            c.sync().configSet("min-replicas-to-write", "1");
            RedisException noReplicas = failureOf(() -> c.sync().set("k", "v"));
            c.sync().configSet("min-replicas-to-write", "0");
            assertThat(words(new TeamCopyException(TeamCopyException.Side.TARGET, noReplicas))).isEqualTo(at
                    + " refused writes: its replica is not acknowledging (min-replicas-to-write)");

            c.sync().configSet("busy-reply-threshold", "10");
            script.async().eval("while true do end", ScriptOutputType.INTEGER);
            RedisException busy = await().atMost(Duration.ofSeconds(5)).until(() -> {
                try {
                    c.sync().ping();
                    return null;
                } catch (RedisException e) {
                    return e;
                }
            }, e -> e != null);
            c.sync().scriptKill();
            assertThat(words(busy)).isEqualTo(at + " is busy running a script and answers nothing else until it ends");

            c.setTimeout(TIMEOUT);
            redis.primary().pause();
            RedisException timeout;
            try {
                timeout = failureOf(() -> c.sync().ping());
            } finally {
                redis.primary().resume();
            }
            assertThat(words(timeout)).isEqualTo("a Redis call to " + at + " did not answer within 300 ms");
        } finally {
            client.shutdown();
        }
        RedisClient nowhere = RedisClient.create("redis://127.0.0.1:1");
        try {
            RedisException refused = failureOf(nowhere::connect);
            assertThat(words(refused)).startsWith("the connection to " + at + " failed (")
                    .containsIgnoringCase("refused").doesNotContain("Exception");
        } finally {
            nowhere.shutdown();
        }
        assertThat(words(new RedisLoadingException("LOADING Redis is loading the dataset in memory")))
                .isEqualTo("the primary of " + at + " is loading its data (it restarted or is resyncing)");
    }

    @Test
    void a_failure_that_is_no_redis_call_says_so_without_a_class_name() {
        assertThat(FailureWords.unexpected(new IllegalStateException("the copy found a key of type 'vectorset'")))
                .isEqualTo("an unexpected failure in the coordinator (the copy found a key of type 'vectorset'); the "
                        + "coordinator's log has the details");
    }
}
