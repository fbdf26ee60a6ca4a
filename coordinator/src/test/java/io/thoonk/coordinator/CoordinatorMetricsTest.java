package io.thoonk.coordinator;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.thoonk.contract.Script;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coordinators' Prometheus metrics, read as Prometheus reads them ({@code scrape()}, the text
 * format), with real coordinators, ZooKeeper and redis-server processes: node and shard gauges
 * after a registration, a failover counted once with its phases, the leader gauge on exactly one
 * coordinator, resolves and Watch streams, a move's bytes, and a removed shard's meters gone.
 */
class CoordinatorMetricsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    /** One sample of a scrape. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Every sample of a Prometheus text scrape. */
    static List<Sample> parse(String scrape) {
        List<Sample> out = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.trim());
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Map<String, String> labels = new HashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return out;
    }

    /** The samples named {@code name} whose labels include {@code labels} (key, value, ...). */
    static List<Double> values(Coordinator c, String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return parse(c.metrics().scrape()).stream().filter(s -> s.name().equals(name))
                .filter(s -> s.labels().entrySet().containsAll(wanted.entrySet())).map(Sample::value).toList();
    }

    /** The one sample named {@code name} with {@code labels}. */
    static double value(Coordinator c, String name, String... labels) {
        List<Double> found = values(c, name, labels);
        assertThat(found).as("samples of %s %s on %s", name, List.of(labels), c.id()).hasSize(1);
        return found.get(0);
    }

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    void addShard(Coordinator c, String id, RedisShard shard) {
        admin(c).addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress())
                .addAllReplicas(shard.replicaAddresses()).build());
    }

    @Test
    void nodes_shards_leadership_directory_calls_and_a_failover_show_in_the_scrape() throws Exception {
        RedisShard redis = coordinators.own(RedisShard.start(1));
        String primary = redis.primaryAddress();
        String replica = redis.replicaAddresses().get(0);
        List<Coordinator> all = new ArrayList<>();
        for (String id : List.of("c1", "c2", "c3")) {
            all.add(coordinators.start(coordinators.config(id).clusterSize(3).downAfter(Duration.ofMillis(500))));
        }
        Coordinator leader = Coordinator.awaitLeader(all, LocalCoordinators.LEADERSHIP_TIMEOUT);
        addShard(leader, "s1", redis);

        await().atMost(WAIT).untilAsserted(() -> {
            for (Coordinator c : all) {
                for (String node : List.of(primary, replica)) {
                    assertThat(value(c, "thoonk_node_up", "shard", "s1", "node", node)).isEqualTo(1.0);
                    assertThat(value(c, "thoonk_node_memory_used_bytes", "shard", "s1", "node", node)).isPositive();
                    assertThat(value(c, "thoonk_node_memory_max_bytes", "shard", "s1", "node", node)).isNotNaN();
                    assertThat(value(c, "thoonk_probe_seconds_count", "shard", "s1", "node", node)).isPositive();
                }
                assertThat(value(c, "thoonk_shard_replicas", "shard", "s1")).isEqualTo(1.0);
                assertThat(value(c, "thoonk_shard_live_replicas", "shard", "s1")).isEqualTo(1.0);
                assertThat(value(c, "thoonk_node_primary", "shard", "s1", "node", primary)).isEqualTo(1.0);
                assertThat(value(c, "thoonk_zookeeper_connected")).isEqualTo(1.0);
            }
        });
        assertThat(all.stream().mapToDouble(c -> value(c, "thoonk_coordinator_leader")).sum())
                .as("coordinators reporting themselves leader").isEqualTo(1.0);
        assertThat(value(leader, "thoonk_coordinator_leader")).isEqualTo(1.0);
        assertThat(value(leader, "thoonk_failovers_total", "shard", "s1", "kind", "automatic"))
                .as("the counter is there at 0 before the first failover").isZero();

        // resolves and Watch streams, on a follower
        Coordinator follower = all.stream().filter(c -> c != leader).findFirst().orElseThrow();
        double resolvesBefore = value(follower, "thoonk_resolves_total");
        DirectoryGrpc.newBlockingStub(coordinators.channel(follower)).withDeadlineAfter(10, TimeUnit.SECONDS)
                .resolve(ResolveRequest.newBuilder().setTeam("42").build());
        assertThat(value(follower, "thoonk_resolves_total")).isEqualTo(resolvesBefore + 1);
        assertThat(value(follower, "thoonk_directory_teams")).isEqualTo(1.0);
        assertThat(value(follower, "thoonk_shard_teams", "shard", "s1")).isEqualTo(1.0);
        assertThat(value(follower, "thoonk_directory_revision")).isEqualTo((double) follower.directoryRevision());
        Context.CancellableContext watching = Context.current().withCancellation();
        watching.run(() -> DirectoryGrpc.newStub(coordinators.channel(follower)).watch(WatchRequest.getDefaultInstance(),
                new StreamObserver<WatchResponse>() {
                    @Override
                    public void onNext(WatchResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        await().atMost(WAIT).until(() -> value(follower, "thoonk_watch_streams") == 1.0);
        watching.cancel(null);
        await().atMost(WAIT).until(() -> value(follower, "thoonk_watch_streams") == 0.0);

        ListAppender<ILoggingEvent> decisions = new ListAppender<>();
        decisions.start();
        Logger promotion = (Logger) LoggerFactory.getLogger("io.thoonk.coordinator.failover.Promotion");
        promotion.addAppender(decisions);

        redis.primary().kill();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(value(leader, "thoonk_failovers_total", "shard", "s1", "kind", "automatic")).isEqualTo(1.0);
            assertThat(value(leader, "thoonk_node_up", "shard", "s1", "node", primary)).isZero();
            assertThat(value(leader, "thoonk_node_primary", "shard", "s1", "node", replica)).isEqualTo(1.0);
            assertThat(value(leader, "thoonk_shard_epoch", "shard", "s1")).isEqualTo(2.0);
        });
        for (String phase : List.of("detect", "decide", "promote", "publish")) {
            assertThat(value(leader, "thoonk_failover_phase_seconds_count", "phase", phase)).as(phase).isEqualTo(1.0);
            assertThat(values(leader, "thoonk_failover_phase_seconds_bucket", "phase", phase)).as(phase).isNotEmpty();
        }
        assertThat(value(leader, "thoonk_failover_phase_seconds_sum", "phase", "detect"))
                .as("detection takes down-after at least").isGreaterThanOrEqualTo(0.5);
        promotion.detachAppender(decisions);
        assertThat(decisions.list).map(ILoggingEvent::getFormattedMessage).as("the decision lines")
                .anyMatch(m -> m.endsWith("[decision=failover-decided shard=s1 epoch=2]"))
                .anyMatch(m -> m.endsWith("[decision=failover-promoted shard=s1 epoch=2]"));
        for (Coordinator c : all) {
            if (c != leader) {
                assertThat(value(c, "thoonk_failovers_total", "shard", "s1", "kind", "automatic"))
                        .as("counted by the leader that decided it only, on %s", c.id()).isZero();
            }
        }
    }

    @Test
    void a_move_counts_its_bytes_and_a_removed_shard_takes_its_meters_with_it() throws Exception {
        Coordinator c = coordinators.own(Coordinator.start(coordinators.config("c1").build(), null,
                Promoter.PhaseHook.NONE, Mover.PhaseHook.NONE));
        c.awaitLeadership(LocalCoordinators.LEADERSHIP_TIMEOUT);
        RedisShard s1 = coordinators.own(RedisShard.start(0));
        RedisShard s2 = coordinators.own(RedisShard.start(0));
        addShard(c, "s1", s1);
        addShard(c, "s2", s2);
        admin(c).placeTeam(PlaceTeamRequest.newBuilder().setTeam("7").setShardId("s1").build());
        try (ScriptWriter w = new ScriptWriter(s1)) {
            for (int i = 0; i < 50; i++) {
                w.run(Script.FEED, "feed", "team:7:news", "publish", "n" + i, "item " + i);
            }
        }
        assertThat(value(c, "thoonk_move_bytes_total")).isZero();
        assertThat(value(c, "thoonk_moves_in_progress")).isZero();

        Iterator<MoveProgress> progress = admin(c).moveTeam(MoveTeamRequest.newBuilder().setTeam("7")
                .setTargetShardId("s2").build());
        List<MoveProgress> seen = new ArrayList<>();
        progress.forEachRemaining(seen::add);
        assertThat(seen).isNotEmpty();
        MoveProgress last = seen.get(seen.size() - 1);
        assertThat(last.getPhase()).as(last.getOutcome()).isEqualTo(MovePhase.MOVE_DONE);

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(value(c, "thoonk_move_bytes_total")).isEqualTo((double) last.getBytesCopied()).isPositive();
            assertThat(value(c, "thoonk_move_seconds_count", "outcome", "done")).isEqualTo(1.0);
            assertThat(value(c, "thoonk_move_write_pause_seconds_count")).isEqualTo(1.0);
            assertThat(value(c, "thoonk_moves_in_progress")).isZero();
            assertThat(value(c, "thoonk_shard_teams", "shard", "s2")).isEqualTo(1.0);
            assertThat(value(c, "thoonk_shard_teams", "shard", "s1")).isZero();
        });
        await().atMost(WAIT).until(() -> !values(c, "thoonk_probe_seconds_count", "shard", "s1").isEmpty());

        admin(c).removeShard(RemoveShardRequest.newBuilder().setId("s1").build());

        await().atMost(WAIT).untilAsserted(() -> assertThat(parse(c.metrics().scrape()))
                .as("samples of shard s1").noneMatch(s -> "s1".equals(s.labels().get("shard"))));
        assertThat(value(c, "thoonk_node_up", "shard", "s2", "node", s2.primaryAddress())).isEqualTo(1.0);
    }
}
