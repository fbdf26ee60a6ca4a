package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.coordinator.CoordinatorConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Resolves a coordinator's settings. Each setting comes from the first place that has it: a
 * command-line flag, an environment variable, the {@code --config} file (Java {@code .properties}),
 * else its default. A key in the file that is not a setting is an error naming the key; so is a
 * value that does not parse, naming where it came from.
 */
final class CoordinatorSettings {

    /** The settings, with their flag, environment variable and config file key. */
    enum Setting {
        ZOOKEEPER("zookeeper", "THOONK_ZOOKEEPER", "127.0.0.1:2181"),
        GRPC_PORT("grpc-port", "THOONK_GRPC_PORT", Integer.toString(CoordinatorConfig.DEFAULT_GRPC_PORT)),
        /** No default: the coordinator names itself HOST-PORT. */
        ID("id", "THOONK_COORDINATOR_ID", null),
        /** No default: the bind address, or this machine's host name when it binds every interface. */
        HOST("host", "THOONK_HOST", null),
        BIND("bind", "THOONK_BIND", CoordinatorConfig.DEFAULT_BIND),
        NAMESPACE("namespace", "THOONK_NAMESPACE", "thoonk"),
        SESSION_TIMEOUT("session-timeout", "THOONK_SESSION_TIMEOUT", "15s"),
        CLUSTER_PORT("cluster-port", "THOONK_CLUSTER_PORT", Integer.toString(CoordinatorConfig.DEFAULT_CLUSTER_PORT)),
        /** No default: a coordinator on its own. */
        MEMBERS("members", "THOONK_MEMBERS", null),
        /** 0: the number of members. */
        CLUSTER_SIZE("cluster-size", "THOONK_CLUSTER_SIZE", "0"),
        PROBE_INTERVAL("probe-interval", "THOONK_PROBE_INTERVAL", "100ms"),
        DOWN_AFTER("down-after", "THOONK_DOWN_AFTER", "500ms"),
        MIN_REPLICAS_MAX_LAG("min-replicas-max-lag", "THOONK_MIN_REPLICAS_MAX_LAG", "2s"),
        /** No default: Redis' default user. Resolved with the password by {@link RedisAuthOptions}. */
        REDIS_USERNAME(RedisAuthOptions.USERNAME_KEY, RedisAuthOptions.USERNAME_ENV, null),
        /**
         * No default: $THOONK_REDIS_PASSWORD, else no authentication. Resolved by {@link RedisAuthOptions}: the
         * password itself is never a flag or a config value, only a file (or the environment).
         */
        REDIS_PASSWORD_FILE(RedisAuthOptions.PASSWORD_FILE_KEY, RedisAuthOptions.PASSWORD_FILE_ENV, null);

        final String key;
        final String env;
        final String defaultValue;

        Setting(String key, String env, String defaultValue) {
            this.key = key;
            this.env = env;
            this.defaultValue = defaultValue;
        }

        /** The command-line flag, {@code --} and the config file key. */
        String flag() {
            return "--" + key;
        }

        static Optional<Setting> forKey(String key) {
            return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
        }
    }

    private CoordinatorSettings() {
    }

    /**
     * The configuration from {@code flags} (only the flags given), {@code env} and {@code file}
     * (empty without {@code --config}), in that order of precedence.
     *
     * @throws InvalidArgumentException for an unknown key in the file or a value that does not parse
     */
    static CoordinatorConfig resolve(Map<Setting, String> flags, Map<String, String> env, Properties file) {
        for (String key : file.stringPropertyNames()) {
            if (Setting.forKey(key).isEmpty()) {
                throw new InvalidArgumentException("unknown setting '" + key + "' in the config file; known: "
                        + Arrays.stream(Setting.values()).map(s -> s.key).collect(Collectors.joining(", ")));
            }
        }
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        for (Setting s : Setting.values()) {
            values.put(s, value(s, flags, env, file));
        }
        return CoordinatorConfig.builder(values.get(Setting.ZOOKEEPER).text())
                .grpcPort(values.get(Setting.GRPC_PORT).parse(CoordinatorSettings::port))
                .id(values.get(Setting.ID).text())
                .host(values.get(Setting.HOST).text())
                .bind(values.get(Setting.BIND).text())
                .namespace(values.get(Setting.NAMESPACE).text())
                .sessionTimeout(values.get(Setting.SESSION_TIMEOUT).parse(Durations::parse))
                .clusterPort(values.get(Setting.CLUSTER_PORT).parse(CoordinatorSettings::port))
                .members(values.get(Setting.MEMBERS).raw() == null ? List.of()
                        : values.get(Setting.MEMBERS).parse(CoordinatorSettings::members))
                .clusterSize(values.get(Setting.CLUSTER_SIZE).parse(CoordinatorSettings::clusterSize))
                .probeInterval(values.get(Setting.PROBE_INTERVAL).parse(CoordinatorSettings::positiveDuration))
                .downAfter(values.get(Setting.DOWN_AFTER).parse(CoordinatorSettings::positiveDuration))
                .minReplicasMaxLag(values.get(Setting.MIN_REPLICAS_MAX_LAG).parse(CoordinatorSettings::wholeSeconds))
                .redisCredentials(RedisAuthOptions.resolve(flags.get(Setting.REDIS_USERNAME),
                        flags.get(Setting.REDIS_PASSWORD_FILE), env, file))
                .build();
    }

    /** Reads a {@code .properties} config file. */
    static Properties load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read the config file " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("the config file " + file + " is not a .properties file: "
                    + e.getMessage());
        }
        return properties;
    }

    private static Value value(Setting s, Map<Setting, String> flags, Map<String, String> env, Properties file) {
        if (flags.get(s) != null) {
            return new Value(s, flags.get(s), "flag " + s.flag());
        }
        String fromEnv = env.get(s.env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Value(s, fromEnv, "$" + s.env);
        }
        String fromFile = file.getProperty(s.key);
        if (fromFile != null) {
            return new Value(s, fromFile, "the config file");
        }
        return new Value(s, s.defaultValue, "the default");
    }

    private static int port(String text) {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("a port is 0..65535");
        }
        return port;
    }

    /** {@code host[:port],host[:port],...}: the Hazelcast addresses of the coordinators. */
    private static List<String> members(String text) {
        List<String> members = new ArrayList<>();
        for (String part : text.split(",")) {
            String member = part.trim();
            if (member.isEmpty()) {
                throw new IllegalArgumentException("an empty member in the list; write host[:port],host[:port],...");
            }
            int colon = member.lastIndexOf(':');
            if (colon >= 0 && member.indexOf(']') < colon) {
                try {
                    port(member.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("member '" + member + "' has no valid port (0..65535)");
                }
            }
            members.add(member);
        }
        return members;
    }

    private static int clusterSize(String text) {
        int size = Integer.parseInt(text);
        if (size < 0) {
            throw new IllegalArgumentException("the number of coordinators is >= 0 (0: the number of --members)");
        }
        return size;
    }

    private static Duration positiveDuration(String text) {
        Duration d = Durations.parse(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("it must be more than 0");
        }
        return d;
    }

    private static Duration wholeSeconds(String text) {
        Duration d = positiveDuration(text);
        if (d.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("Redis takes whole seconds, e.g. 2s");
        }
        return d;
    }

    /** One setting's value and where it came from, for error messages. */
    private record Value(Setting setting, String raw, String source) {

        String text() {
            if (raw == null) {
                return null;
            }
            String trimmed = raw.trim();
            if (trimmed.isEmpty()) {
                throw invalid("it is empty");
            }
            return trimmed;
        }

        <T> T parse(Function<String, T> parser) {
            try {
                return parser.apply(text());
            } catch (IllegalArgumentException e) {
                throw invalid(e instanceof NumberFormatException ? "not a number" : e.getMessage());
            }
        }

        private InvalidArgumentException invalid(String why) {
            return new InvalidArgumentException("invalid " + setting.key + " '" + raw + "' (from " + source + "): "
                    + why);
        }
    }
}
