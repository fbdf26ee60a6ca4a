package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Commands given no {@code --redis} / {@code --coordinator} / environment: they use the running
 * {@code thoonk dev} (found through its {@link LocalClusterRecord}), and otherwise say how to point
 * them somewhere. The record's place is this module's test property, never the real home directory.
 */
class DefaultTargetTest {

    private static final Path RECORD = LocalClusterRecord.location();

    @BeforeAll
    static void noTargetInTheEnvironment() {
        assumeTrue(System.getenv(Target.REDIS_ENV) == null && System.getenv(Target.COORDINATOR_ENV) == null,
                "THOONK_REDIS or THOONK_COORDINATOR is set: commands would use it");
        assertThat(System.getProperty(LocalClusterRecord.LOCATION_PROPERTY))
                .as("the record's place is set for tests (cli/pom.xml)").isNotBlank();
    }

    @BeforeEach
    void noRecord() throws IOException {
        Files.deleteIfExists(RECORD);
    }

    @Test
    void commands_given_nothing_use_the_running_thoonk_dev_until_it_stops() throws Exception {
        StringWriter devOut = new StringWriter();
        CompletableFuture<Integer> devExit = new CompletableFuture<>();
        Thread dev = new Thread(() -> devExit.complete(ThoonkCli.execute(new PrintWriter(devOut, true),
                new PrintWriter(new StringWriter(), true), "dev", "--shards", "1", "--port", "0", "--no-demo")),
                "thoonk-dev");
        dev.start();
        try {
            await().atMost(Duration.ofSeconds(60)).failFast("thoonk dev exited", devExit::isDone)
                    .until(() -> Files.exists(RECORD) && devOut.toString().contains("Running until Ctrl-C"));
            assertThat(devOut.toString()).contains("Commands given no --redis or --coordinator use this cluster "
                    + "while it runs (recorded in " + RECORD.toAbsolutePath() + ").");

            Result published = CliRunner.runExactly("feed", "publish", "team.1.news", "hi", "--id", "greeting");
            assertThat(published.exitCode()).as(published.toString()).isZero();
            assertThat(CliRunner.runExactly("feed", "all", "team.1.news").lines()).containsExactly("greeting\thi");
            Result status = CliRunner.runExactly("admin", "status");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).contains("shard-1");
        } finally {
            dev.interrupt();
            assertThat(devExit.get(30, TimeUnit.SECONDS)).isZero();
        }

        assertThat(RECORD).as("removed when thoonk dev stops").doesNotExist();
        Result after = CliRunner.runExactly("feed", "all", "team.1.news");
        assertThat(after.exitCode()).isEqualTo(2);
        assertThat(after.err()).isEqualTo("thoonk: " + Target.NOTHING_GIVEN + System.lineSeparator());
    }

    @Test
    void given_nothing_and_no_local_cluster_commands_say_how_to_point_them_somewhere() {
        Result data = CliRunner.runExactly("feed", "publish", "team.1.news", "hi");
        assertThat(data.exitCode()).isEqualTo(2);
        assertThat(data.err()).isEqualTo("thoonk: no Redis or cluster given, and no local cluster is running: pass "
                + "--redis redis://HOST:PORT or --coordinator HOST:PORT, or start a local cluster with ./thoonk dev "
                + "(commands then use it), or set THOONK_REDIS or THOONK_COORDINATOR" + System.lineSeparator());

        Result admin = CliRunner.runExactly("admin", "status");
        assertThat(admin.exitCode()).isEqualTo(2);
        assertThat(admin.err()).isEqualTo("thoonk: no coordinator given, and no local cluster is running: pass "
                + "--coordinator HOST:PORT[,HOST:PORT...], set THOONK_COORDINATOR, or start a local cluster with "
                + "./thoonk dev" + System.lineSeparator());
    }

    @Test
    void a_failure_to_reach_the_local_cluster_says_where_the_address_came_from() throws IOException {
        String address = "127.0.0.1:" + closedPort();
        LocalClusterRecord.ofThisProcess(List.of(address)).write();
        String whereFrom = "; the address comes from the local cluster of ./thoonk dev (pid "
                + ProcessHandle.current().pid() + ", recorded in " + RECORD + ")" + System.lineSeparator();

        Result data = CliRunner.runExactly("feed", "all", "team.1.news");
        assertThat(data.exitCode()).isEqualTo(1);
        assertThat(data.err()).isEqualTo("thoonk: cannot list the shards: no coordinator answered at " + address
                + " (Connection refused)" + whereFrom);

        Result admin = CliRunner.runExactly("admin", "shards");
        assertThat(admin.exitCode()).isEqualTo(1);
        assertThat(admin.err()).isEqualTo("thoonk: UNAVAILABLE: no coordinator answered at " + address
                + " (Connection refused)" + whereFrom);
    }

    @Test
    void a_record_whose_process_is_gone_is_ignored_and_removed() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        new LocalClusterRecord(List.of("127.0.0.1:7400"), gone.pid(), null).write();

        Result result = CliRunner.runExactly("admin", "status");

        assertThat(result.err()).isEqualTo("thoonk: " + Target.NO_COORDINATOR_GIVEN + System.lineSeparator());
        assertThat(RECORD).doesNotExist();
    }

    @Test
    void a_record_whose_pid_now_belongs_to_another_process_is_stale() throws IOException {
        long self = ProcessHandle.current().pid();
        new LocalClusterRecord(List.of("127.0.0.1:7400"), self, Instant.EPOCH.toString()).write();

        assertThat(LocalClusterRecord.find()).isEmpty();
        assertThat(RECORD).doesNotExist();
    }

    @Test
    void a_record_with_fields_of_a_later_version_is_read() throws IOException {
        Files.createDirectories(RECORD.getParent());
        Files.writeString(RECORD, "{\"coordinators\":[\"127.0.0.1:7400\"],\"pid\":" + ProcessHandle.current().pid()
                + ",\"zookeeper\":\"127.0.0.1:2181\"}");

        assertThat(LocalClusterRecord.find()).map(LocalClusterRecord::coordinators).contains(List.of("127.0.0.1:7400"));
    }

    @Test
    void an_unreadable_record_is_stale() throws IOException {
        Files.createDirectories(RECORD.getParent());
        Files.writeString(RECORD, "{not json");

        assertThat(LocalClusterRecord.find()).isEmpty();
        assertThat(RECORD).doesNotExist();
    }

    @Test
    void a_record_is_removed_only_by_the_process_that_wrote_it_and_only_if_still_its_own() throws IOException {
        LocalClusterRecord first = LocalClusterRecord.ofThisProcess(List.of("127.0.0.1:1"));
        LocalClusterRecord.Written firstWritten = first.write();
        LocalClusterRecord second = LocalClusterRecord.ofThisProcess(List.of("127.0.0.1:2"));
        LocalClusterRecord.Written secondWritten = second.write();
        assertThat(LocalClusterRecord.find()).contains(second);

        firstWritten.close();
        assertThat(LocalClusterRecord.find()).as("replaced: not the first one's to remove").contains(second);

        secondWritten.close();
        assertThat(RECORD).doesNotExist();
        try (var files = Files.list(RECORD.getParent())) {
            assertThat(files).as("no temporary files left").isEmpty();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
