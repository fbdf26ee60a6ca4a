package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** {@code thoonk dev}: the whole local cluster and its demo, with real redis-server processes. */
class DevCommandTest {

    private static final Pattern REDIS_NODE = Pattern.compile("(?m)^(shard-\\d+)\\s+127\\.0\\.0\\.1:(\\d+)\\s+Redis (primary|replica)$");
    private static final Pattern COORDINATOR = Pattern.compile("(?m)^coordinator\\s+127\\.0\\.0\\.1:(\\d+)\\s+gRPC");
    private static final Pattern PLACED = Pattern.compile("(?m)^(\\w+)\\s+(shard-\\d+)\\s+127\\.0\\.0\\.1:\\d+\\s+1$");
    private static final Pattern PROMOTED = Pattern.compile("(?m)^  promoted: (shard-\\d+)'s primary is now "
            + "127\\.0\\.0\\.1:(\\d+) \\(was 127\\.0\\.0\\.1:(\\d+)\\), shard epoch 2; detected after \\d+ ms");
    private static final Pattern RODE_THROUGH = Pattern.compile("(?m)^  publishers of [\\w, ]+ rode through: "
            + "(\\d+) publishes acknowledged, 0 failed, all (\\d+) in their feeds\\.$");
    private static final Pattern MOVED = Pattern.compile("(?m)^moved team (\\w+) (shard-\\d+) -> (shard-\\d+) in ");
    private static final Pattern KEPT_PUBLISHING = Pattern.compile("(?m)^  team (\\w+) kept publishing, now on "
            + "(shard-\\d+) \\(team epoch 2\\): (\\d+) publishes acknowledged, 0 failed, all (\\d+) in their feeds\\.$");

    @Test
    void startsACluster_placesTheTeams_failsOverAndMovesATeamUnderLoad_andStopsEverything() {
        Set<Long> childrenBefore = liveChildProcesses();

        Result result = CliRunner.runExactly("dev", "--port", "0", "--demo-pause", "0s", "--exit-after-demo");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        String out = result.out();

        List<Integer> coordinatorPorts = new ArrayList<>();
        for (Matcher m = COORDINATOR.matcher(out); m.find(); ) {
            coordinatorPorts.add(Integer.parseInt(m.group(1)));
        }
        assertThat(coordinatorPorts).as("three coordinators, on actual ports, not 0").hasSize(3)
                .allSatisfy(p -> assertThat(p).isPositive()).doesNotHaveDuplicates();
        int coordinatorPort = coordinatorPorts.get(0);
        assertThat(out).contains("./thoonk admin status").contains("--coordinator 127.0.0.1:" + coordinatorPort + ",");
        assertThat(out).as("the dashboard's URL is printed").containsPattern("dashboard +http://127\\.0\\.0\\.1:[1-9][0-9]*/");

        Map<String, List<Integer>> nodes = new TreeMap<>();
        for (Matcher m = REDIS_NODE.matcher(out); m.find(); ) {
            nodes.computeIfAbsent(m.group(1), s -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
        }
        assertThat(nodes).as("three shards by default, a primary and a replica each").containsOnlyKeys(
                "shard-1", "shard-2", "shard-3").allSatisfy((shard, ports) -> assertThat(ports).hasSize(2));

        Map<String, String> teamToShard = new TreeMap<>();
        for (Matcher m = PLACED.matcher(out); m.find(); ) {
            teamToShard.put(m.group(1), m.group(2));
        }
        assertThat(teamToShard).as(out).containsOnlyKeys(DevWorkload.TEAMS);
        assertThat(out).contains("Teams per shard: shard-1 2, shard-2 2, shard-3 2");

        Matcher promoted = PROMOTED.matcher(out);
        assertThat(promoted.find()).as("the failover, old and new primary: %s", out).isTrue();
        String failedShard = promoted.group(1);
        assertThat(failedShard).isEqualTo(teamToShard.get(DevWorkload.TEAMS.get(0)));
        assertThat(nodes.get(failedShard)).as("the replica became primary")
                .containsExactly(Integer.parseInt(promoted.group(3)), Integer.parseInt(promoted.group(2)));
        Matcher rodeThrough = RODE_THROUGH.matcher(out);
        assertThat(rodeThrough.find()).as("no failed write through the failover: %s", out).isTrue();
        assertThat(Long.parseLong(rodeThrough.group(1))).isPositive().isEqualTo(Long.parseLong(rodeThrough.group(2)));

        Matcher moved = MOVED.matcher(out);
        assertThat(moved.find()).as("the move finished: %s", out).isTrue();
        String team = moved.group(1);
        assertThat(moved.group(2)).isEqualTo(teamToShard.get(team)).isNotEqualTo(failedShard);
        assertThat(moved.group(3)).isNotIn(failedShard, moved.group(2));
        Matcher kept = KEPT_PUBLISHING.matcher(out);
        assertThat(kept.find()).as("no failed write through the move: %s", out).isTrue();
        assertThat(kept.group(1)).isEqualTo(team);
        assertThat(kept.group(2)).isEqualTo(moved.group(3));
        assertThat(Long.parseLong(kept.group(3))).isPositive().isEqualTo(Long.parseLong(kept.group(4)));
        assertThat(out).contains("Demo done: no write failed and every acknowledged publish is in its feed.")
                .containsPattern("(?m)^  live: acme \\d+/s r\\d+, globex ")
                .doesNotContain("failed writes 1");

        assertThat(liveChildProcesses()).as("processes started by the command and still alive")
                .isSubsetOf(childrenBefore);
        nodes.values().stream().flatMap(List::stream).forEach(DevCommandTest::assertRefused);
        coordinatorPorts.forEach(DevCommandTest::assertRefused);
    }

    @Test
    void noDemoRunsUntilSigtermThenStopsEveryRedisServer(@TempDir Path dir) {
        try (CliProcess dev = CliProcess.start(dir.resolve("dev.json"), "dev", "--port", "0", "--no-demo")) {
            await().atMost(Duration.ofSeconds(60)).failFast("thoonk dev exited", () -> !dev.isAlive())
                    .until(() -> dev.out().stream().anyMatch(l -> l.startsWith("Running until Ctrl-C")));
            List<ProcessHandle> redis = dev.handle().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("redis")).toList();
            assertThat(redis).as("a primary and a replica for each of the three shards").hasSize(6);
            assertThat(String.join("\n", dev.out())).doesNotContain("Placement", "live:");

            assertThat(dev.stop()).as("stopped by SIGTERM, after its shutdown hook: %s", dev).isEqualTo(128 + 15);

            assertThat(redis).as("every redis-server it started is gone").noneMatch(ProcessHandle::isAlive);
            assertThat(dev.out()).contains("Stopping...");
        }
    }

    @Test
    void demoPauseIsChecked() {
        Result result = CliRunner.runExactly("dev", "--demo-pause", "2m", "--exit-after-demo");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: --demo-pause must be at most 1m, was 2m");

        Result notADuration = CliRunner.runExactly("dev", "--demo-pause", "soon");
        assertThat(notADuration.exitCode()).isEqualTo(2);
        assertThat(notADuration.err()).contains("'soon' is not a duration");
    }

    @Test
    void coordinatorCountIsChecked() {
        Result result = CliRunner.runExactly("dev", "--coordinators", "0", "--exit-after-demo");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: --coordinators must be 1..7, was 0");

        Result tooHigh = CliRunner.runExactly("dev", "--port", "65535", "--exit-after-demo");
        assertThat(tooHigh.exitCode()).isEqualTo(2);
        assertThat(tooHigh.err()).startsWith("thoonk: --port must be 0..65533 for 3 coordinator(s), was 65535");
    }

    @Test
    void noDemoSkipsTheDemo() {
        Result result = CliRunner.runExactly("dev", "--shards", "1", "--port", "0", "--no-demo", "--exit-after-demo");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("shard-1", "Stopping (--exit-after-demo).")
                .doesNotContain("Teams per shard");
    }

    @Test
    void shardCountIsChecked() {
        Result result = CliRunner.runExactly("dev", "--shards", "0", "--exit-after-demo");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: --shards must be 1..16");
    }

    /** The pids of this JVM's live child processes (redis-server processes are started as children). */
    private static Set<Long> liveChildProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    private static void assertRefused(int port) {
        assertThatExceptionOfType(IOException.class).as("nothing listens on port %d", port)
                .isThrownBy(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    }
                });
    }
}
