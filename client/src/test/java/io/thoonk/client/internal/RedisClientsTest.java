package io.thoonk.client.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What lets a listener, run on a pub/sub I/O thread, wait for commands: replies of command
 * connections are read on other threads than pub/sub messages, whatever the number of
 * connections, and only pub/sub threads (of this client) say they are.
 */
class RedisClientsTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    RedisClients clients;
    RedisClients other;

    @BeforeEach
    void create() {
        clients = new RedisClients(ClientOptions.create());
        other = new RedisClients(ClientOptions.create());
    }

    @AfterEach
    void shutdown() throws Exception {
        clients.shutdownAsync(2_000).get(10, TimeUnit.SECONDS);
        other.shutdownAsync(2_000).get(10, TimeUnit.SECONDS);
    }

    /** Where a reply was read: on one of this client's pub/sub threads, on another client's, and its name. */
    record ReadOn(boolean ownPubSub, boolean otherPubSub, String thread) {
    }

    ReadOn here() {
        return new ReadOn(clients.onPubSubThread(), other.onPubSubThread(), Thread.currentThread().getName());
    }

    @Test
    void command_replies_are_never_read_on_a_pub_sub_thread_and_pub_sub_messages_always_are() throws Exception {
        RedisURI uri = RedisURI.create(redis.primaryUri());
        List<StatefulRedisConnection<String, String>> commands = new ArrayList<>();
        List<StatefulRedisPubSubConnection<String, String>> pubsubs = new ArrayList<>();
        List<CompletableFuture<ReadOn>> commandReplies = new ArrayList<>();
        List<CompletableFuture<ReadOn>> messages = new ArrayList<>();
        // more connections of each kind than either client has I/O threads
        for (int i = 0; i < 8; i++) {
            commands.add(clients.commands().connect(StringCodec.UTF8, uri));
            StatefulRedisPubSubConnection<String, String> pubsub = clients.pubsub().connectPubSub(StringCodec.UTF8, uri);
            CompletableFuture<ReadOn> message = new CompletableFuture<>();
            pubsub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String text) {
                    message.complete(here());
                }
            });
            pubsub.sync().subscribe("channel:" + i);
            pubsubs.add(pubsub);
            messages.add(message);
        }
        // a reply that comes a while after the call, so it is surely read (and the stage completed)
        // on an I/O thread, not on this one
        for (int i = 0; i < commands.size(); i++) {
            commandReplies.add(commands.get(i).async().blpop(0.2, "nothing:" + i).toCompletableFuture()
                    .thenApply(none -> here()));
        }
        for (int i = 0; i < pubsubs.size(); i++) {
            commands.get(0).sync().publish("channel:" + i, "hello");
        }
        for (CompletableFuture<ReadOn> reply : commandReplies) {
            ReadOn on = reply.get(10, TimeUnit.SECONDS);
            assertThat(on.thread()).isNotEqualTo(Thread.currentThread().getName());
            assertThat(on.ownPubSub()).as("command reply read on %s", on.thread()).isFalse();
            assertThat(on.otherPubSub()).isFalse();
        }
        for (CompletableFuture<ReadOn> message : messages) {
            ReadOn on = message.get(10, TimeUnit.SECONDS);
            assertThat(on.ownPubSub()).as("pub/sub message read on %s", on.thread()).isTrue();
            assertThat(on.otherPubSub()).as("another client's pub/sub thread").isFalse();
            assertThat(on.thread()).startsWith("thoonk-pubsub");
        }
        assertThat(clients.onPubSubThread()).as("the test thread").isFalse();
        commands.forEach(StatefulRedisConnection::close);
        pubsubs.forEach(StatefulRedisPubSubConnection::close);
    }
}
