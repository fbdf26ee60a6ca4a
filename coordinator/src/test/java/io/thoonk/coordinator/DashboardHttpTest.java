package io.thoonk.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thoonk.coordinator.http.CoordinatorHttpServer;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.FailoverRequest;
import io.thoonk.testing.RedisShard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The coordinator's HTTP server on a real coordinator, ZooKeeper and redis-server processes:
 * {@code /api/state} lists the shards with their nodes' health, {@code /api/events} sends a new
 * snapshot after a change, a failover reaches the timeline, unknown paths are 404 and methods other
 * than GET 405, and closing the coordinator ends open event streams promptly.
 */
class DashboardHttpTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final LocalCoordinators coordinators = LocalCoordinators.withZooKeeper();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AdminGrpc.AdminBlockingStub admin(Coordinator c) {
        return AdminGrpc.newBlockingStub(coordinators.channel(c)).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    void addShard(Coordinator c, String id, RedisShard shard) {
        admin(c).addShard(AddShardRequest.newBuilder().setId(id).setPrimary(shard.primaryAddress())
                .addAllReplicas(shard.replicaAddresses()).build());
    }

    HttpResponse<String> request(Coordinator c, String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + c.httpAddress() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode state(Coordinator c) throws Exception {
        HttpResponse<String> response = request(c, "GET", "/api/state");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return JSON.readTree(response.body());
    }

    static JsonNode shard(JsonNode state, String id) {
        for (JsonNode s : state.get("shards")) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        return null;
    }

    /** The {@code data:} of each event the stream sends, in order, as they arrive. */
    BlockingQueue<String> events(Coordinator c, List<CompletableFuture<?>> streams) {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        CompletableFuture<HttpResponse<Stream<String>>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://" + c.httpAddress() + "/api/events")).GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        streams.add(response.thenAccept(r -> {
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/event-stream"));
            r.body().filter(line -> line.startsWith("data: ")).forEach(line -> events.add(line.substring(6)));
        }));
        return events;
    }

    @Test
    void state_lists_every_shard_with_its_primary_and_replicas_up_and_its_teams() throws Exception {
        Coordinator c = coordinators.startLeader(coordinators.config("c1"));
        RedisShard redis = coordinators.own(RedisShard.start(1));
        addShard(c, "s1", redis);

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode s1 = shard(state(c), "s1");
            assertThat(s1).isNotNull();
            assertThat(s1.get("state").asText()).isEqualTo("ACTIVE");
            assertThat(s1.get("draining").asBoolean()).isFalse();
            assertThat(s1.get("teams").asLong()).isZero();
            assertThat(s1.get("primary").get("address").asText()).isEqualTo(redis.primaryAddress());
            assertThat(s1.get("primary").get("health").asText()).isEqualTo("up");
            assertThat(s1.get("replicas")).hasSize(1);
            assertThat(s1.get("replicas").get(0).get("address").asText()).isEqualTo(redis.replicaAddresses().get(0));
            assertThat(s1.get("replicas").get(0).get("health").asText()).isEqualTo("up");
            assertThat(s1.get("replicas").get(0).get("lagBytes").asLong()).isGreaterThanOrEqualTo(0);
        });
        JsonNode state = state(c);
        assertThat(state.get("coordinator").get("id").asText()).isEqualTo("c1");
        assertThat(state.get("coordinator").get("leader").asBoolean()).isTrue();
        assertThat(state.get("moves")).isEmpty();
    }

    @Test
    void events_send_a_new_snapshot_after_a_shard_is_added() throws Exception {
        Coordinator c = coordinators.startLeader(coordinators.config("c1"));
        List<CompletableFuture<?>> streams = new ArrayList<>();
        BlockingQueue<String> events = events(c, streams);
        String first = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(first).as("the snapshot sent on connecting").isNotNull();
        assertThat(JSON.readTree(first).get("shards")).isEmpty();

        addShard(c, "s1", coordinators.own(RedisShard.start(0)));

        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode seen = null;
        while (seen == null && System.nanoTime() < deadline) {
            String data = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (data != null && shard(JSON.readTree(data), "s1") != null) {
                seen = JSON.readTree(data);
            }
        }
        assertThat(seen).as("an event listing shard s1 within %s", WAIT).isNotNull();
        streams.forEach(s -> s.cancel(true));
    }

    @Test
    void a_failover_appears_in_the_timeline_with_the_old_and_new_primary() throws Exception {
        Coordinator c = coordinators.startLeader(coordinators.config("c1"));
        RedisShard redis = coordinators.own(RedisShard.start(1));
        addShard(c, "s1", redis);
        await().atMost(WAIT).until(() -> redis.primary().call("INFO replication").contains("state=online"));

        admin(c).failover(FailoverRequest.newBuilder().setShardId("s1").build());

        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode state = state(c);
            assertThat(shard(state, "s1").get("primary").get("address").asText())
                    .isEqualTo(redis.replicaAddresses().get(0));
            List<JsonNode> failovers = new ArrayList<>();
            state.get("timeline").forEach(e -> {
                if (e.get("kind").asText().equals("failover")) {
                    failovers.add(e);
                }
            });
            assertThat(failovers).hasSize(1);
            assertThat(failovers.get(0).get("shard").asText()).isEqualTo("s1");
            assertThat(failovers.get(0).get("from").asText()).isEqualTo(redis.primaryAddress());
            assertThat(failovers.get(0).get("to").asText()).isEqualTo(redis.replicaAddresses().get(0));
        });
    }

    @Test
    void the_page_health_and_metrics_are_served_unknown_paths_are_404_and_other_methods_405() throws Exception {
        Coordinator c = coordinators.start("c1");

        HttpResponse<String> page = request(c, "GET", "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Thoonk cluster</title>", "new EventSource(\"api/events\")");
        assertThat(request(c, "GET", "/healthz").body()).isEqualTo("ok\n");
        HttpResponse<String> metrics = request(c, "GET", "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(metrics.body()).contains("thoonk_coordinator_leader", "thoonk_zookeeper_connected");

        for (String path : List.of("/nope", "/api", "/api/state/x", "/index.html")) {
            HttpResponse<String> missing = request(c, "GET", path);
            assertThat(missing.statusCode()).as(path).isEqualTo(404);
            assertThat(missing.body()).contains(path);
        }
        for (String method : List.of("POST", "PUT", "DELETE")) {
            for (String path : List.of("/", "/api/state", "/api/events", "/metrics", "/healthz")) {
                HttpResponse<String> refused = request(c, method, path);
                assertThat(refused.statusCode()).as(method + " " + path).isEqualTo(405);
                assertThat(refused.headers().firstValue("Allow")).hasValue("GET");
            }
        }
    }

    @Test
    void closing_the_coordinator_ends_open_event_streams_within_a_second() throws Exception {
        Coordinator c = coordinators.start("c1");
        List<CompletableFuture<?>> streams = new ArrayList<>();
        BlockingQueue<String> events = events(c, streams);
        assertThat(events.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
        String address = c.httpAddress();

        long started = System.nanoTime();
        c.close();

        streams.get(0).handle((ok, failed) -> null).get(CoordinatorHttpServer.STOP_TIMEOUT.toMillis() + 1_000,
                TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void with_http_port_off_there_is_no_http_server() throws Exception {
        Coordinator c = coordinators.start(coordinators.config("c1").httpPort(CoordinatorConfig.HTTP_OFF));

        assertThatThrownBy(c::httpAddress).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("runs no HTTP server");
    }
}
