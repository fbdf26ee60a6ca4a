package io.thoonk.coordinator.shard;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.thoonk.testing.Closer;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node prober against real redis-server processes. */
class NodeProberTest {

    static final Duration INTERVAL = Duration.ofMillis(100);
    static final Duration DOWN_AFTER = Duration.ofMillis(500);
    static final Duration WAIT = Duration.ofSeconds(10);

    final Closer started = new Closer();
    final List<Map<String, NodeReport>> snapshots = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() {
        started.close();
    }

    NodeProber start(Duration interval, UnaryOperator<String> dial, AtomicReference<Set<String>> targets) {
        NodeProber prober = started.add(new NodeProber(interval, DOWN_AFTER, dial, Clock.systemUTC()));
        prober.start(targets::get, snapshots::add);
        return prober;
    }

    static long probeConnections(RedisProcess redis) {
        return redis.call("CLIENT LIST").lines().filter(l -> l.contains("name=" + NodeProber.CLIENT_NAME)).count();
    }

    @Test
    void a_primary_and_its_replica_are_reported_with_roles_link_and_offsets_under_the_directorys_names() {
        RedisShard shard = started.add(RedisShard.start(1));
        String primary = "primary.example:6379";
        String replica = "replica.example:6379";
        Map<String, String> real = Map.of(primary, shard.primaryAddress(), replica, shard.replicaAddresses().get(0));
        shard.primary().call("SET k v");

        NodeProber prober = start(INTERVAL, real::get, new AtomicReference<>(Set.of(primary, replica)));

        await().atMost(WAIT).untilAsserted(() -> {
            NodeReport p = prober.reports().get(primary);
            NodeReport r = prober.reports().get(replica);
            assertThat(p).isNotNull();
            assertThat(r).isNotNull();
            assertThat(p.isPrimary()).isTrue();
            assertThat(p.connectedReplicas()).isEqualTo(1);
            assertThat(p.replicationOffset()).isPositive();
            assertThat(r.role()).isEqualTo("slave");
            assertThat(r.replicatesFrom(shard.primaryAddress())).as("%s", r).isTrue();
            assertThat(r.replicationOffset()).isEqualTo(p.replicationOffset());
            for (NodeReport n : List.of(p, r)) {
                assertThat(n.reachable()).isTrue();
                assertThat(n.downForMillis()).isZero();
                assertThat(n.error()).isEmpty();
            }
        });
        assertThat(prober.timeout()).isEqualTo(NodeProber.MIN_PROBE_TIMEOUT);
    }

    @Test
    void each_node_is_probed_over_one_connection_that_is_kept_and_dropped_when_the_node_is_no_longer_probed() {
        RedisProcess a = started.add(RedisProcess.start());
        RedisProcess b = started.add(RedisProcess.start());
        AtomicReference<Set<String>> targets = new AtomicReference<>(Set.of(a.address(), b.address()));
        NodeProber prober = start(INTERVAL, UnaryOperator.identity(), targets);
        await().atMost(WAIT).until(() -> prober.reports().keySet().equals(Set.of(a.address(), b.address())));
        int seen = snapshots.size();

        await().atMost(WAIT).until(() -> snapshots.size() >= seen + 10);

        assertThat(probeConnections(a)).isOne();
        assertThat(probeConnections(b)).isOne();
        targets.set(Set.of(a.address()));
        await().atMost(WAIT).until(() -> !prober.reports().containsKey(b.address()));
        await().atMost(WAIT).until(() -> probeConnections(b) == 0);
        assertThat(probeConnections(a)).isOne();
    }

    @Test
    void a_hung_node_is_unreachable_after_one_timeout_and_the_others_are_probed_on_time_meanwhile() {
        RedisProcess hung = started.add(RedisProcess.start());
        RedisProcess fine = started.add(RedisProcess.start());
        NodeProber prober = start(INTERVAL, UnaryOperator.identity(),
                new AtomicReference<>(Set.of(hung.address(), fine.address())));
        await().atMost(WAIT).until(() -> prober.reports().size() == 2);

        hung.pause();
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                NodeReport h = prober.reports().get(hung.address());
                assertThat(h.reachable()).isFalse();
                assertThat(h.error()).isEqualTo("no answer within 250 ms");
                assertThat(h.downForMillis()).isGreaterThanOrEqualTo(1_000);
            });
            List<Long> probedAt = new ArrayList<>();
            int from = snapshots.size() - 8;
            for (Map<String, NodeReport> s : snapshots.subList(from, snapshots.size())) {
                long at = s.get(fine.address()).probedAtMillis();
                if (probedAt.isEmpty() || probedAt.get(probedAt.size() - 1) != at) {
                    probedAt.add(at);
                }
            }
            assertThat(probedAt).as("probes of the node that answers, while the other hangs").hasSizeGreaterThan(3);
            for (int i = 1; i < probedAt.size(); i++) {
                assertThat(probedAt.get(i) - probedAt.get(i - 1)).as("gap between probes").isLessThan(400);
            }
            assertThat(prober.reports().get(fine.address()).reachable()).isTrue();
        } finally {
            hung.resume();
        }
        await().atMost(WAIT).until(() -> prober.reports().get(hung.address()).reachable());
        assertThat(prober.reports().get(hung.address()).downForMillis()).isZero();
    }

    @Test
    void a_killed_node_is_reported_down_from_its_first_failed_probe_and_at_down_after_without_waiting_for_a_tick() {
        RedisProcess node = started.add(RedisProcess.start());
        // probed every 5 s: the failure and the crossing of down-after must not wait for ticks
        NodeProber prober = start(Duration.ofSeconds(5), UnaryOperator.identity(),
                new AtomicReference<>(Set.of(node.address())));
        await().atMost(WAIT).until(() -> prober.reports().containsKey(node.address()));

        long killed = System.nanoTime();
        node.kill();

        await().atMost(WAIT).until(() -> !prober.reports().get(node.address()).reachable());
        long failedAfter = (System.nanoTime() - killed) / 1_000_000;
        assertThat(prober.reports().get(node.address()).error()).isEqualTo("connection refused");
        await().atMost(WAIT).until(() -> prober.reports().get(node.address()).downForMillis()
                >= DOWN_AFTER.toMillis());
        long crossedAfter = (System.nanoTime() - killed) / 1_000_000;
        assertThat(failedAfter).as("ms from kill to the failed probe").isLessThan(2_000);
        assertThat(crossedAfter).as("ms from kill to a report down for down-after").isLessThan(2_500);
    }

    @Test
    void closing_while_a_tick_runs_ends_the_thread_and_closes_the_connections_without_an_error_logged()
            throws Exception {
        RedisProcess node = started.add(RedisProcess.start());
        AtomicBoolean closing = new AtomicBoolean();
        CountDownLatch inTick = new CountDownLatch(1);
        NodeProber prober = started.add(new NodeProber(Duration.ofMillis(20), DOWN_AFTER, UnaryOperator.identity(),
                Clock.systemUTC()));
        // once the test is closing, a tick asking for its targets is held there until its thread is
        // interrupted: close then runs with a tick under way, as it does when a tick fires at close
        prober.start(() -> {
            if (closing.get()) {
                inTick.countDown();
                try {
                    new CountDownLatch(1).await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            return Set.of(node.address());
        }, snapshots::add);
        await().atMost(WAIT).until(() -> probeConnections(node) == 1);

        List<Logger> watched = List.of((Logger) LoggerFactory.getLogger(NodeProber.class),
                (Logger) LoggerFactory.getLogger("io.lettuce"), (Logger) LoggerFactory.getLogger("io.netty"));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        watched.forEach(l -> l.addAppender(logged));
        try {
            closing.set(true);
            assertThat(inTick.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("a tick began").isTrue();
            long started = System.nanoTime();
            prober.close();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;

            assertThat(prober.threadEnded()).as("the prober's thread ended").isTrue();
            assertThat(tookMillis).as("ms to close").isLessThan(NodeProber.CLOSE_TIMEOUT.toMillis());
            await().atMost(WAIT).until(() -> probeConnections(node) == 0);
        } finally {
            watched.forEach(l -> l.detachAppender(logged));
        }
        assertThat(logged.list).as("logged while closing").extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains("Exception") || m.contains("already closed"));
        assertThat(logged.list).as("logged with an exception while closing")
                .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
    }
}
