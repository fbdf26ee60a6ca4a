package io.thoonk.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A client of one Redis pointed at a registered cluster shard (the coordinator's marker
 * {@code thoonk.shard}): it warns by default and refuses when told to, before writing anything.
 */
class ClusterShardTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    static final ThoonkOptions REFUSE = ThoonkOptions.builder().refuseClusterShard(true).build();

    final Logger checkLog = (Logger) LoggerFactory.getLogger("io.thoonk.client.internal.ClusterShardCheck");
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void start() {
        redis.flushAll();
        logged.start();
        checkLog.addAppender(logged);
    }

    @AfterEach
    void stop() {
        checkLog.detachAppender(logged);
    }

    @Test
    void a_marked_shard_is_refused_when_asked_and_nothing_is_written() {
        redis.primary().call("HSET thoonk.shard shard shard-1 namespace thoonk");

        assertThatThrownBy(() -> Thoonk.connect(redis.primaryUri(), REFUSE))
                .isInstanceOfSatisfying(ClusterShardException.class, e -> {
                    assertThat(e.redis()).isEqualTo(redis.primary().address());
                    assertThat(e.shard()).isEqualTo("shard-1");
                    assertThat(e.namespace()).isEqualTo("thoonk");
                    assertThat(e).hasMessage("Redis at " + redis.primary().address() + " is shard 'shard-1' of a "
                            + "Thoonk cluster (ZooKeeper namespace 'thoonk'): a client of one Redis would skip the "
                            + "cluster's routing there, so a team's objects could end up on two shards; connect "
                            + "through the cluster's coordinators (Thoonk.connectCluster)");
                });
        assertThat(redis.primary().call("DBSIZE")).as("only the marker").isEqualTo("1");
    }

    @Test
    void by_default_a_marked_shard_is_used_with_a_warning() {
        redis.primary().call("HSET thoonk.shard shard shard-1 namespace thoonk");

        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri())) {
            thoonk.feed("team:1:news").publish("hello", "a");
            assertThat(thoonk.feed("team:1:news").get("a")).map(Item::value).contains("hello");
        }
        assertThat(logged.list).singleElement().satisfies(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("is shard 'shard-1' of a Thoonk cluster",
                    "Connected anyway (ThoonkOptions.refuseClusterShard is off)");
        });
    }

    @Test
    void an_unmarked_redis_is_used_without_a_word_even_when_shards_are_refused() {
        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri(), REFUSE)) {
            thoonk.feed("team:1:news").publish("hello", "a");
        }
        assertThat(logged.list).isEmpty();
    }
}
