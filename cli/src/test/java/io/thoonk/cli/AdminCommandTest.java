package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import io.thoonk.testing.cluster.LocalClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code thoonk admin ...} against a real coordinator, ZooKeeper and Redis shard. */
class AdminCommandTest {

    /** A coordinator c1 of its own per test (an empty directory) and a shard s1 it does not know yet. */
    @RegisterExtension
    static final LocalClusterExtension local = LocalClusterExtension.of(LocalCluster.builder()
            .shards("s1").replicasPerShard(1).registerShards(false));

    static RedisShard shard;
    static Coordinator coordinator;

    @BeforeEach
    void start() {
        shard = local.cluster().shard("s1");
        coordinator = local.cluster().coordinator();
    }

    /** Runs {@code thoonk admin ARGS --coordinator <the test's coordinator>}. */
    static Result admin(String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--coordinator", coordinator.address()));
        return CliRunner.runExactly(all.toArray(String[]::new));
    }

    static String address(RedisProcess node) {
        return "127.0.0.1:" + node.port();
    }

    @Test
    void addShard_status_resolve_team_and_a_refused_removal() {
        Result added = admin("add-shard", "s1", address(shard.primary()), "--replica", address(shard.replicas().get(0)),
                "--weight", "2");
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.out()).contains("added shard s1", address(shard.primary()), "active");

        Result status = admin("status", "--output", "json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.json()).hasSize(1);
        JsonNode json = status.json().get(0);
        assertThat(json.path("leaderId").asText()).isEqualTo("c1");
        assertThat(json.path("coordinators").get(0).path("address").asText()).isEqualTo(coordinator.address());
        JsonNode s1 = json.path("shards").get(0);
        assertThat(s1.path("id").asText()).isEqualTo("s1");
        assertThat(s1.path("primary").asText()).isEqualTo(address(shard.primary()));
        assertThat(s1.path("replicas").get(0).asText()).isEqualTo(address(shard.replicas().get(0)));
        assertThat(s1.path("weight").asInt()).isEqualTo(2);
        assertThat(s1.path("state").asText()).isEqualTo("SHARD_ACTIVE");

        Result text = admin("status");
        assertThat(text.out()).contains("leader: c1", "quorum: yes", "s1", "teams: ");
        String primary = address(shard.primary());
        String replica = address(shard.replicas().get(0));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin("status").out())
                .containsPattern("SHARD +NODE +SEEN BY +ROLE +HEALTH +OFFSET")
                .containsPattern("s1 +" + primary + " +c1 +primary +up +\\d+")
                .containsPattern("s1 +" + replica + " +c1 +replica +up +\\d+"));
        JsonNode nodes = admin("status", "--output", "json").json().get(0).path("nodes");
        assertThat(nodes).hasSize(2);
        assertThat(nodes.get(0).path("node").asText()).isEqualTo(primary);
        assertThat(nodes.get(0).path("reachable").asBoolean()).isTrue();
        assertThat(json.path("quorum").asBoolean()).isTrue();

        Result resolved = admin("resolve", "353", "--output", "json");
        assertThat(resolved.exitCode()).as(resolved.toString()).isZero();
        JsonNode placement = resolved.json().get(0).path("placement");
        assertThat(placement.path("team").asText()).isEqualTo("353");
        assertThat(placement.path("shardId").asText()).isEqualTo("s1");
        assertThat(placement.path("epoch").asLong()).isPositive();

        Result team = admin("team", "353");
        assertThat(team.exitCode()).as(team.toString()).isZero();
        assertThat(team.lines()).hasSize(2);
        assertThat(team.lines().get(1)).startsWith("353").contains("s1", address(shard.primary()), "active");

        Result shards = admin("shards", "--output", "json");
        assertThat(shards.json()).extracting(j -> j.path("id").asText()).containsExactly("s1");
        assertThat(shards.json().get(0).path("teamCount").asLong()).isGreaterThanOrEqualTo(1);

        Result pinned = admin("place-team", "354", "s1", "--pin", "--output", "json");
        assertThat(pinned.exitCode()).as(pinned.toString()).isZero();
        assertThat(pinned.json().get(0).path("placement").path("pinned").asBoolean()).isTrue();

        Result refused = admin("remove-shard", "s1");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).startsWith("thoonk: FAILED_PRECONDITION: shard 's1' still owns");
        assertThat(refused.out()).isEmpty();
    }

    @Test
    void indexShardIndexesWhatAPeerWroteAndPrintsProgressThenASummary() {
        Result added = admin("add-shard", "s1", address(shard.primary()));
        assertThat(added.exitCode()).as(added.toString()).isZero();
        // written as an original Thoonk peer writes, knowing nothing of the index: 1200 + 30 + 1 objects
        StringBuilder names = new StringBuilder("SADD feeds");
        for (int i = 0; i < 1200; i++) {
            names.append(" team:7:feed-").append(i);
        }
        for (int i = 0; i < 30; i++) {
            names.append(" legacy-").append(i);
        }
        names.append(" team:bad*team:feed");
        shard.primary().call(names.toString());

        Result json = admin("index-shard", "s1", "--global-team", "main", "--output", "json");

        assertThat(json.exitCode()).as(json.toString()).isZero();
        List<JsonNode> progress = json.json();
        assertThat(progress.size()).as(json.toString()).isGreaterThanOrEqualTo(3); // 1231 names, 500 a page
        JsonNode last = progress.get(progress.size() - 1);
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(last.path("shardId").asText()).isEqualTo("s1");
        assertThat(last.path("primary").asText()).isEqualTo(address(shard.primary()));
        assertThat(last.path("indexed").asLong()).isEqualTo(1230);
        assertThat(last.path("skipped").asLong()).isEqualTo(1);
        assertThat(last.path("scanned").asLong()).isGreaterThanOrEqualTo(1231);
        for (int i = 1; i < progress.size(); i++) {
            for (String count : List.of("scanned", "indexed", "skipped", "pruned", "elapsedMillis")) {
                assertThat(progress.get(i).path(count).asLong()).as(count)
                        .isGreaterThanOrEqualTo(progress.get(i - 1).path(count).asLong());
            }
            assertThat(progress.get(i - 1).path("done").asBoolean()).isFalse();
        }
        assertThat(shard.primary().call("SCARD thoonk.team.objects:7")).isEqualTo("1200");
        assertThat(shard.primary().call("SCARD thoonk.team.objects:main")).isEqualTo("30");

        // a peer deletes one object; running it again prunes its entry and indexes nothing new
        shard.primary().call("SREM feeds team:7:feed-0");
        Result text = admin("index-shard", "s1", "--global-team", "main");

        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.lines().get(0)).matches("scanned \\d+ names: 0 indexed, \\d skipped, 0 pruned \\(\\d+\\.\\d s\\)");
        assertThat(text.lines().get(text.lines().size() - 1)).startsWith("indexed shard s1 ("
                + address(shard.primary()) + ") in ").matches(".*: \\d+ names scanned, 0 added to their team's index, "
                + "1 skipped \\(no valid team in the name\\), 1 index entry of deleted objects removed");
    }

    @Test
    void indexingAnUnknownShardIsNotFound() {
        Result result = admin("index-shard", "nope");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: NOT_FOUND: no shard 'nope'; list them with ./thoonk admin shards"
                + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }

    @Test
    void badTeamNameIsAnInvalidArgument() {
        Result result = admin("resolve", "no spaces please");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: INVALID_ARGUMENT: team name 'no spaces please'");
    }

    @Test
    void unknownTeamIsNotFound() {
        Result result = admin("team", "never-resolved");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: NOT_FOUND: ");
    }

    @Test
    void removingAnUnknownShardIsNotFound() {
        Result result = admin("remove-shard", "nope");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: NOT_FOUND: no shard 'nope'");
    }

    @Test
    void coordinatorsAreTriedInOrderUntilOneAnswers() {
        Result result = CliRunner.runExactly("admin", "status", "--coordinator",
                "127.0.0.1:1," + coordinator.address());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("leader: c1");
    }

    @Test
    void noCoordinatorAnsweringIsUnavailable() {
        Result result = CliRunner.runExactly("admin", "status", "--coordinator", "127.0.0.1:1,127.0.0.1:2");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).startsWith("thoonk: UNAVAILABLE: none of the coordinators 127.0.0.1:1, 127.0.0.1:2 answered");
    }

    @Test
    void malformedCoordinatorAddressIsAUsageError() {
        Result result = CliRunner.runExactly("admin", "status", "--coordinator", "localhost");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: invalid coordinator address 'localhost'");
    }
}
