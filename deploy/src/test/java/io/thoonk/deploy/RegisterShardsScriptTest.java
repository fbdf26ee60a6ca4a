package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.thoonk.testing.RedisShard;
import io.thoonk.testing.cluster.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.thoonk.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registration Job's script (helm/thoonk/files/register-shards.sh, which the Job runs as it
 * is) with the real CLI, through the image's launcher, against a real local cluster (ZooKeeper, a
 * coordinator, redis-server shards of a primary and a replica): it registers new shards, leaves
 * registered ones alone on every later run, and ends at once on a refusal retrying cannot change.
 */
class RegisterShardsScriptTest {

    private static final Path SCRIPT = Chart.directory().resolve("files/register-shards.sh");
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    private static LocalCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.builder().shards("s1", "s2", "s3", "s4").replicasPerShard(1).registerShards(false)
                .start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void the_job_runs_this_script_as_it_is() throws IOException {
        Container job = only(Chart.defaults().set("registration.helmHook", false).render().registrationJob()
                .getSpec().getTemplate().getSpec().getContainers());

        assertThat(job.getCommand()).hasSize(3).startsWith("/bin/sh", "-c");
        assertThat(job.getCommand().get(2).strip()).isEqualTo(Files.readString(SCRIPT).strip());
    }

    @Test
    void registers_new_shards_then_leaves_them_as_they_are() {
        String shards = line("s1") + "\n" + line("s2");

        Shell.Result first = register(shards, 60);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("every shard is registered");
        String listed = shardsJson();
        for (String id : List.of("s1", "s2")) {
            RedisShard shard = cluster.shard(id);
            assertThat(listed).contains("\"id\":\"" + id + "\",\"primary\":\"" + shard.primaryAddress() + "\"")
                    .contains("\"" + shard.replicaAddresses().get(0) + "\"");
        }

        Shell.Result again = register(shards, 60);
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("shard s1 is registered already").contains("shard s2 is registered already")
                .doesNotContain("warning");
        assertThat(shardsJson()).isEqualTo(listed);
    }

    @Test
    void reports_a_replica_the_registered_shard_lacks() {
        RedisShard s3 = cluster.shard("s3");
        assertThat(register("s3 " + s3.primaryAddress(), 60).exitCode()).isZero();

        Shell.Result withReplica = register(line("s3"), 60);

        assertThat(withReplica.exitCode()).as(withReplica.output()).isZero();
        assertThat(withReplica.output())
                .contains("warning: shard s3 is registered without replica " + s3.replicaAddresses().get(0));
    }

    @Test
    void gives_up_at_once_on_a_primary_that_another_shard_uses() {
        String primary = cluster.shard("s4").primaryAddress();
        long start = System.nanoTime();

        Shell.Result result = register(line("s4") + "\ns4-copy " + primary, 600);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("cannot register shard s4-copy").contains("ALREADY_EXISTS")
                .doesNotContain("every shard is registered");
        assertThat(shardsJson()).contains("\"id\":\"s4\"").doesNotContain("s4-copy");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void retries_while_no_coordinator_answers_and_gives_up_at_the_deadline() {
        Shell.Result result = Shell.run(RUN_TIMEOUT, Image.env(Map.of(
                "THOONK_CLI", Image.LAUNCHER.toString(),
                "THOONK_COORDINATOR", "127.0.0.1:" + freePort(),
                "THOONK_SHARDS", line("s1"),
                "THOONK_REGISTER_TIMEOUT", "2",
                "THOONK_REGISTER_RETRY_SECONDS", "1")), null, List.of("/bin/sh", SCRIPT.toString()));

        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output()).contains("cannot list the shards yet").contains("gave up registering shard s1");
    }

    /** The shard's line of THOONK_SHARDS: ID PRIMARY REPLICA. */
    private static String line(String id) {
        RedisShard shard = cluster.shard(id);
        List<String> words = new ArrayList<>(List.of(id, shard.primaryAddress()));
        words.addAll(shard.replicaAddresses());
        return String.join(" ", words);
    }

    private static Shell.Result register(String shards, int timeoutSeconds) {
        return Shell.run(RUN_TIMEOUT, Image.env(Map.of(
                "THOONK_CLI", Image.LAUNCHER.toString(),
                "THOONK_COORDINATOR", String.join(",", cluster.coordinators().addresses()),
                "THOONK_SHARDS", shards,
                "THOONK_REGISTER_TIMEOUT", Integer.toString(timeoutSeconds),
                "THOONK_REGISTER_RETRY_SECONDS", "1")), null, List.of("/bin/sh", SCRIPT.toString()));
    }

    private static String shardsJson() {
        Shell.Result result = Image.thoonk(RUN_TIMEOUT, Map.of("THOONK_COORDINATOR",
                String.join(",", cluster.coordinators().addresses())), "admin", "shards", "--output", "json");
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
