package io.thoonk.cli;

import io.thoonk.cli.CliRunner.Result;
import io.thoonk.cli.CoordinatorSettings.Setting;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.coordinator.CoordinatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Where {@code thoonk coordinator} takes each setting from: flag > environment > config file > default. */
class CoordinatorSettingsTest {

    private static final Map<Setting, String> NO_FLAGS = Map.of();
    private static final Map<String, String> NO_ENV = Map.of();

    static Properties file(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void defaults() {
        CoordinatorConfig config = CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, new Properties());

        assertThat(config.zookeeper()).isEqualTo("127.0.0.1:2181");
        assertThat(config.grpcPort()).isEqualTo(7400);
        assertThat(config.id()).isNull();
        assertThat(config.host()).as("derived from bind when the coordinator starts").isNull();
        assertThat(config.bind()).as("loopback only").isEqualTo("127.0.0.1");
        assertThat(config.namespace()).isEqualTo("thoonk");
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void theFileOverridesDefaults() {
        CoordinatorConfig config = CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("zookeeper", "zk1:2181,zk2:2181",
                "grpc-port", "7500", "id", "file-id", "host", "10.0.0.1", "bind", "0.0.0.0", "namespace", "file-ns",
                "session-timeout", "30s"));

        assertThat(config.zookeeper()).isEqualTo("zk1:2181,zk2:2181");
        assertThat(config.grpcPort()).isEqualTo(7500);
        assertThat(config.id()).isEqualTo("file-id");
        assertThat(config.host()).isEqualTo("10.0.0.1");
        assertThat(config.bind()).isEqualTo("0.0.0.0");
        assertThat(config.namespace()).isEqualTo("file-ns");
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theEnvironmentOverridesTheFile_andFlagsOverrideBoth() {
        Properties file = file("zookeeper", "file:2181", "grpc-port", "7500", "id", "file-id", "host", "file-host",
                "bind", "10.0.0.1", "namespace", "file-ns", "session-timeout", "30s");
        Map<String, String> env = Map.of("THOONK_ZOOKEEPER", "env:2181", "THOONK_GRPC_PORT", "7600",
                "THOONK_COORDINATOR_ID", "env-id", "THOONK_HOST", "env-host", "THOONK_NAMESPACE", "env-ns",
                "THOONK_SESSION_TIMEOUT", "40s", "THOONK_BIND", "10.0.0.2");
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.ZOOKEEPER, "flag:2181");
        flags.put(Setting.GRPC_PORT, "7700");
        flags.put(Setting.SESSION_TIMEOUT, "50s");
        flags.put(Setting.BIND, "0.0.0.0");

        CoordinatorConfig envOverFile = CoordinatorSettings.resolve(NO_FLAGS, env, file);
        assertThat(envOverFile.zookeeper()).isEqualTo("env:2181");
        assertThat(envOverFile.grpcPort()).isEqualTo(7600);
        assertThat(envOverFile.id()).isEqualTo("env-id");
        assertThat(envOverFile.host()).isEqualTo("env-host");
        assertThat(envOverFile.bind()).isEqualTo("10.0.0.2");
        assertThat(envOverFile.namespace()).isEqualTo("env-ns");
        assertThat(envOverFile.sessionTimeout()).isEqualTo(Duration.ofSeconds(40));

        CoordinatorConfig flagsOverAll = CoordinatorSettings.resolve(flags, env, file);
        assertThat(flagsOverAll.zookeeper()).isEqualTo("flag:2181");
        assertThat(flagsOverAll.grpcPort()).isEqualTo(7700);
        assertThat(flagsOverAll.sessionTimeout()).isEqualTo(Duration.ofSeconds(50));
        assertThat(flagsOverAll.bind()).isEqualTo("0.0.0.0");
        assertThat(flagsOverAll.id()).as("no flag: from the environment").isEqualTo("env-id");
        assertThat(flagsOverAll.namespace()).as("no flag: from the environment").isEqualTo("env-ns");
    }

    @Test
    void flagsOfTheCommandReachTheResolution() {
        CoordinatorCommand command = new CoordinatorCommand();
        new picocli.CommandLine(command).parseArgs("--zookeeper", "z:1", "--grpc-port", "0", "--id", "i",
                "--host", "h", "--bind", "0.0.0.0", "--namespace", "n", "--session-timeout", "5s",
                "--cluster-port", "0", "--members", "c1:5701, c2,c3:5702", "--cluster-size", "5",
                "--probe-interval", "50ms", "--down-after", "1s", "--min-replicas-max-lag", "3s");

        CoordinatorConfig config = CoordinatorSettings.resolve(command.flags(), NO_ENV, new Properties());

        assertThat(config).isEqualTo(CoordinatorConfig.builder("z:1").grpcPort(0).id("i").host("h").bind("0.0.0.0")
                .namespace("n").sessionTimeout(Duration.ofSeconds(5)).clusterPort(0)
                .members(java.util.List.of("c1:5701", "c2", "c3:5702")).clusterSize(5)
                .probeInterval(Duration.ofMillis(50)).downAfter(Duration.ofSeconds(1))
                .minReplicasMaxLag(Duration.ofSeconds(3)).build());
    }

    @Test
    void redisCredentialsComeFromTheEnvironmentOrAPasswordFile(@TempDir Path dir) throws IOException {
        Path secret = Files.writeString(dir.resolve("redis-password"), "file-pw\n");
        Map<String, String> env = Map.of("THOONK_REDIS_PASSWORD", "env-pw");

        assertThat(CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, new Properties()).redisCredentials())
                .isEqualTo(RedisCredentials.none());
        assertThat(CoordinatorSettings.resolve(NO_FLAGS, env, new Properties()).redisCredentials())
                .isEqualTo(RedisCredentials.password("env-pw".toCharArray()));
        assertThat(CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_REDIS_PASSWORD", "env-pw",
                "THOONK_REDIS_USERNAME", "app"), new Properties()).redisCredentials())
                .isEqualTo(RedisCredentials.of("app", "env-pw".toCharArray()));
        assertThat(CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_REDIS_PASSWORD_FILE", secret.toString()),
                new Properties()).redisCredentials())
                .as("the file's line break is not part of the password")
                .isEqualTo(RedisCredentials.password("file-pw".toCharArray()));
        assertThat(CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("redis-password-file", secret.toString(),
                "redis-username", "from-file")).redisCredentials())
                .isEqualTo(RedisCredentials.of("from-file", "file-pw".toCharArray()));
        assertThat(CoordinatorSettings.resolve(Map.of(Setting.REDIS_PASSWORD_FILE, secret.toString()), env,
                new Properties()).redisCredentials())
                .as("the flag's file over the environment").isEqualTo(RedisCredentials.password("file-pw".toCharArray()));

        CoordinatorCommand command = new CoordinatorCommand();
        new picocli.CommandLine(command).parseArgs("--redis-password-file", secret.toString(), "--redis-username", "u");
        CoordinatorConfig config = CoordinatorSettings.resolve(command.flags(), NO_ENV, new Properties());
        assertThat(config.redisCredentials()).isEqualTo(RedisCredentials.of("u", "file-pw".toCharArray()));
        assertThat(config.toString()).doesNotContain("file-pw");
    }

    @Test
    void badRedisCredentialsAreErrorsNamingTheirSourceNeverThePassword(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        Path missing = dir.resolve("missing");

        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_REDIS_PASSWORD", "pw",
                        "THOONK_REDIS_PASSWORD_FILE", empty.toString()), new Properties()))
                .withMessage("both THOONK_REDIS_PASSWORD and THOONK_REDIS_PASSWORD_FILE are set: set one of them");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_REDIS_USERNAME", "app"),
                        new Properties()))
                .withMessage("a Redis user (app, from $THOONK_REDIS_USERNAME) needs a password: set "
                        + "THOONK_REDIS_PASSWORD, or use --redis-password-file FILE");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(Map.of(Setting.REDIS_PASSWORD_FILE, empty.toString()),
                        NO_ENV, new Properties()))
                .withMessage("the Redis password file " + empty + " (from --redis-password-file) is empty");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_REDIS_PASSWORD_FILE",
                        missing.toString()), new Properties()))
                .withMessageStartingWith("cannot read the Redis password file " + missing
                        + " (from $THOONK_REDIS_PASSWORD_FILE): NoSuchFileException");

        Result onTheCommandLine = CliRunner.runExactly("coordinator", "--redis-password", "visible-pw");
        assertThat(onTheCommandLine.exitCode()).isEqualTo(2);
        assertThat(onTheCommandLine.err()).startsWith("thoonk: --redis-password is not accepted: on the command line "
                + "every user of this machine can read it (ps); set THOONK_REDIS_PASSWORD, or use "
                + "--redis-password-file FILE").doesNotContain("visible-pw");
    }

    @Test
    void clusterSettingsDefaultToACoordinatorOnItsOwnAndRefuseBadValues() {
        CoordinatorConfig defaults = CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, new Properties());
        assertThat(defaults.members()).isEmpty();
        assertThat(defaults.clusterSize()).isEqualTo(1);
        assertThat(defaults.downAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(defaults.probeInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.clusterPort()).isEqualTo(CoordinatorConfig.DEFAULT_CLUSTER_PORT);

        CoordinatorConfig three = CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_MEMBERS", "a,b,c"),
                new Properties());
        assertThat(three.clusterSize()).as("cluster size from the members").isEqualTo(3);
        assertThat(three.majority()).isEqualTo(2);

        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("members", "a,,b")))
                .withMessage("invalid members 'a,,b' (from the config file): an empty member in the list; "
                        + "write host[:port],host[:port],...");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("members", "a:99999")))
                .withMessageContaining("member 'a:99999' has no valid port");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("down-after", "0ms")))
                .withMessage("invalid down-after '0ms' (from the config file): it must be more than 0");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("min-replicas-max-lag", "1500ms")))
                .withMessageContaining("Redis takes whole seconds");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("cluster-size", "-1")))
                .withMessageContaining("the number of coordinators is >= 0");
    }

    @Test
    void anUnknownKeyInTheFileIsAnErrorNamingIt() {
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("hazelcast-ports", "5701")))
                .withMessageStartingWith("unknown setting 'hazelcast-ports' in the config file");
    }

    @Test
    void aBadValueIsAnErrorNamingWhereItCameFrom() {
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, Map.of("THOONK_GRPC_PORT", "seventy"),
                        new Properties()))
                .withMessage("invalid grpc-port 'seventy' (from $THOONK_GRPC_PORT): not a number");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(NO_FLAGS, NO_ENV, file("session-timeout", "soon")))
                .withMessageStartingWith("invalid session-timeout 'soon' (from the config file): 'soon' is not a duration");
        assertThatExceptionOfType(InvalidArgumentException.class)
                .isThrownBy(() -> CoordinatorSettings.resolve(Map.of(Setting.GRPC_PORT, "70000"), NO_ENV,
                        new Properties()))
                .withMessage("invalid grpc-port '70000' (from flag --grpc-port): a port is 0..65535");
    }

    @Test
    void theCommandRefusesAConfigFileWithAnUnknownKey(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("coordinator.properties"), "zookeeper=127.0.0.1:1\nmetrics-port=9090\n");

        Result result = CliRunner.runExactly("coordinator", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: unknown setting 'metrics-port' in the config file");
    }

    @Test
    void theCommandRefusesAMissingConfigFile(@TempDir Path dir) {
        Result result = CliRunner.runExactly("coordinator", "--config", dir.resolve("missing.properties").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: cannot read the config file");
    }

    @Test
    void helpNamesEveryFlagAndEnvironmentVariable() {
        Result result = CliRunner.runExactly("coordinator", "--help");

        assertThat(result.exitCode()).isZero();
        String help = result.out().replaceAll("\\s+", " ");
        for (Setting s : Setting.values()) {
            assertThat(help).contains(s.flag() + "=", "$" + s.env + ", key " + s.key + ";");
        }
        Result top = CliRunner.runExactly("--help");
        assertThat(top.out()).contains("admin", "coordinator", "dev");
    }
}
