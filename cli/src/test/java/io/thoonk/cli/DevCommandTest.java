package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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

/** {@code thoonk dev}: the whole local cluster, in-process, with real redis-server processes. */
class DevCommandTest {

    private static final Pattern REDIS_NODE = Pattern.compile("(?m)^(shard-\\d+)\\s+127\\.0\\.0\\.1:(\\d+)\\s+Redis (primary|replica)$");
    private static final Pattern COORDINATOR = Pattern.compile("(?m)^coordinator\\s+127\\.0\\.0\\.1:(\\d+)\\s+gRPC");
    private static final Pattern PLACED = Pattern.compile("(?m)^(\\d+)\\s+(shard-\\d+)\\s+127\\.0\\.0\\.1:\\d+\\s+1$");

    @Test
    void startsACluster_spreadsTheDemoTeamsOverBothShards_andStopsEverything() {
        Set<Long> childrenBefore = liveChildProcesses();

        Result result = CliRunner.runExactly("dev", "--shards", "2", "--port", "0", "--exit-after-demo");

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
        assertThat(out).as("how to try a failover, with the pid of team 1's primary")
                .containsPattern("(?m)^  kill -9 \\d+    # shard-\\d's primary, 127\\.0\\.0\\.1:\\d+$")
                .contains("./thoonk admin failover shard-");

        List<Integer> redisPorts = new ArrayList<>();
        for (Matcher m = REDIS_NODE.matcher(out); m.find(); ) {
            redisPorts.add(Integer.parseInt(m.group(2)));
        }
        assertThat(redisPorts).as("a primary and a replica per shard").hasSize(4).doesNotHaveDuplicates();

        Map<String, String> teamToShard = new TreeMap<>();
        for (Matcher m = PLACED.matcher(out); m.find(); ) {
            teamToShard.put(m.group(1), m.group(2));
        }
        assertThat(teamToShard).as(out).hasSize(DevDemo.TEAMS);
        assertThat(teamToShard.values()).containsOnly("shard-1", "shard-2").contains("shard-1", "shard-2");
        assertThat(out).contains("Teams per shard: shard-1 6, shard-2 6");

        assertThat(liveChildProcesses()).as("processes started by the command and still alive")
                .isSubsetOf(childrenBefore);
        redisPorts.forEach(DevCommandTest::assertRefused);
        coordinatorPorts.forEach(DevCommandTest::assertRefused);
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
