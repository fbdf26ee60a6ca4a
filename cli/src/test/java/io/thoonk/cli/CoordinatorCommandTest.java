package io.thoonk.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.thoonk.cli.CoordinatorSettings.Setting;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.ZooKeeperExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code thoonk coordinator --config FILE} started for real against ZooKeeper, then stopped. */
class CoordinatorCommandTest {

    @RegisterExtension
    static final ZooKeeperExtension zookeeper = ZooKeeperExtension.ensemble(1);

    private static final Pattern SERVING = Pattern.compile("serving gRPC on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void runsWithAConfigFile_answersHealth_andStopsWhenInterrupted(@TempDir Path dir) throws Exception {
        assumeTrue(Arrays.stream(Setting.values()).allMatch(s -> System.getenv(s.env) == null),
                "a THOONK_* coordinator variable is set: it would override the config file");
        Path config = Files.writeString(dir.resolve("coordinator.properties"), String.join("\n",
                "zookeeper=" + zookeeper.connectString(), "grpc-port=0", "id=from-file", "host=127.0.0.1",
                "namespace=cli-coordinator-test", "session-timeout=10s", "cluster-port=0", "http-port=0", ""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread command = new Thread(() -> exit.complete(ThoonkCli.execute(new PrintWriter(out, true),
                new PrintWriter(err, true), "coordinator", "--config", config.toString())), "coordinator-command");
        command.start();

        await().atMost(Duration.ofSeconds(30)).failFast(exit::isDone)
                .until(() -> SERVING.matcher(out.toString()).find() && out.toString().contains("dashboard at"));
        Matcher serving = SERVING.matcher(out.toString());
        assertThat(serving.find()).isTrue();
        String address = "127.0.0.1:" + serving.group(1);
        assertThat(out.toString()).contains("coordinator from-file serving gRPC on " + address,
                "namespace cli-coordinator-test", "cluster member 127.0.0.1:", "dashboard at http://127.0.0.1:");

        ManagedChannel channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
        try {
            assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
            StatusResponse status = AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .status(StatusRequest.getDefaultInstance());
            assertThat(status.getCoordinatorsList()).extracting(c -> c.getId()).containsExactly("from-file");
        } finally {
            channel.shutdownNow();
        }

        command.interrupt();
        assertThat(exit.get(30, TimeUnit.SECONDS)).as("exit code; stderr: %s", err).isZero();
        assertThat(out.toString()).contains("stopping coordinator from-file");
        assertThat(CliRunner.runExactly("admin", "status", "--coordinator", address).err())
                .as("stopped").startsWith("thoonk: UNAVAILABLE: ");
    }
}
