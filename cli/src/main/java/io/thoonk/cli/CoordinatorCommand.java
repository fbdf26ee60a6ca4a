package io.thoonk.cli;

import io.thoonk.cli.CoordinatorSettings.Setting;
import io.thoonk.cli.Views.Note;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * {@code thoonk coordinator}: runs one coordinator in the foreground until Ctrl-C or SIGTERM.
 * Settings: flag, else environment variable, else {@code --config} file, else default
 * ({@link CoordinatorSettings}).
 */
@Command(name = "coordinator", description = {"Runs a coordinator (the team -> shard directory in ZooKeeper, "
        + "served over gRPC) until Ctrl-C or SIGTERM.",
        "Each setting comes from its flag, else its environment variable, else the --config file, else its default.",
        "Redis authentication: $THOONK_REDIS_PASSWORD (or --redis-password-file FILE) and $THOONK_REDIS_USERNAME; "
                + "every connection to a Redis node uses them."})
final class CoordinatorCommand implements Callable<Integer> {

    @ParentCommand
    private ThoonkCli cli;

    @Option(names = "--config", paramLabel = "FILE", description = "A .properties file with any of the keys "
            + "zookeeper, grpc-port, id, host, bind, namespace, session-timeout, cluster-port, members, cluster-size, "
            + "probe-interval, down-after, min-replicas-max-lag, redis-username, redis-password-file.")
    private Path config;

    @Option(names = "--zookeeper", paramLabel = "CONNECT", description = "ZooKeeper connect string, e.g. "
            + "zk1:2181,zk2:2181,zk3:2181 ($THOONK_ZOOKEEPER, key zookeeper; default 127.0.0.1:2181).")
    private String zookeeper;

    @Option(names = "--grpc-port", paramLabel = "PORT", description = "gRPC port; 0 picks a free one "
            + "($THOONK_GRPC_PORT, key grpc-port; default 7400).")
    private String grpcPort;

    @Option(names = "--id", paramLabel = "ID", description = "This coordinator's name among its peers "
            + "($THOONK_COORDINATOR_ID, key id; default HOST-PORT).")
    private String id;

    @Option(names = "--host", paramLabel = "HOST", description = "Address clients and other coordinators reach "
            + "this one at ($THOONK_HOST, key host; default: the --bind address, or this machine's host name "
            + "with --bind 0.0.0.0).")
    private String host;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on: the gRPC API has no "
            + "authentication, so by default only this machine reaches it; 0.0.0.0 listens on every interface "
            + "($THOONK_BIND, key bind; default " + CoordinatorConfig.DEFAULT_BIND + ").")
    private String bind;

    @Option(names = "--namespace", paramLabel = "NAME", description = "ZooKeeper root node of the directory "
            + "($THOONK_NAMESPACE, key namespace; default thoonk).")
    private String namespace;

    @Option(names = "--session-timeout", paramLabel = "DURATION", description = "ZooKeeper session timeout, e.g. "
            + "15s ($THOONK_SESSION_TIMEOUT, key session-timeout; default 15s).")
    private String sessionTimeout;

    @Option(names = "--cluster-port", paramLabel = "PORT", description = "Port of this coordinator's Hazelcast "
            + "member, through which coordinators share what they see of the Redis nodes; 0 picks the first free one "
            + "from 5701 ($THOONK_CLUSTER_PORT, key cluster-port; default 5701).")
    private String clusterPort;

    @Option(names = "--members", paramLabel = "HOST[:PORT],...", description = "The coordinators' Hazelcast "
            + "addresses, e.g. c1:5701,c2:5701,c3:5701 ($THOONK_MEMBERS, key members; default: none, a coordinator "
            + "on its own).")
    private String members;

    @Option(names = "--cluster-size", paramLabel = "N", description = "How many coordinators the deployment has; "
            + "one that sees fewer than a majority of them decides nothing ($THOONK_CLUSTER_SIZE, key cluster-size; "
            + "default: the number of --members, at least 1).")
    private String clusterSize;

    @Option(names = "--probe-interval", paramLabel = "DURATION", description = "How often each coordinator probes "
            + "every Redis node ($THOONK_PROBE_INTERVAL, key probe-interval; default 100ms).")
    private String probeInterval;

    @Option(names = "--down-after", paramLabel = "DURATION", description = "How long a majority of coordinators "
            + "must see a primary unreachable before a replica replaces it ($THOONK_DOWN_AFTER, key down-after; "
            + "default 500ms).")
    private String downAfter;

    @Option(names = "--min-replicas-max-lag", paramLabel = "DURATION", description = "Whole seconds after which a "
            + "primary whose replicas stay silent refuses writes (Redis min-replicas-max-lag, set on primaries "
            + "with a live replica) ($THOONK_MIN_REPLICAS_MAX_LAG, key min-replicas-max-lag; default 2s).")
    private String minReplicasMaxLag;

    @Option(names = "--redis-username", paramLabel = "NAME", description = "Redis ACL user every connection to a "
            + "Redis node authenticates as ($THOONK_REDIS_USERNAME, key redis-username; default: the 'default' user, "
            + "which a password alone authenticates as).")
    private String redisUsername;

    @Option(names = "--redis-password-file", paramLabel = "FILE", description = "File holding the Redis password, "
            + "e.g. a Kubernetes Secret mounted as a file; a trailing line break is ignored "
            + "($THOONK_REDIS_PASSWORD_FILE, key redis-password-file; default: $THOONK_REDIS_PASSWORD, else no "
            + "authentication).")
    private String redisPasswordFile;

    /** Taken only to refuse it: see {@link RedisAuthOptions}. */
    @Option(names = "--redis-password", paramLabel = "PASSWORD", hidden = true)
    private String redisPassword;

    @Override
    public Integer call() {
        CoordinatorConfig resolved = CoordinatorSettings.resolve(flags(), System.getenv(),
                config == null ? new Properties() : CoordinatorSettings.load(config));
        Printer printer = cli.printer();
        printer.print(new Note("waiting for ZooKeeper at " + resolved.zookeeper() + " (up to "
                + Durations.format(Coordinator.CONNECT_TIMEOUT) + ")..."));
        Coordinator coordinator = Foreground.startCoordinator(resolved);
        printer.print(new Note("coordinator " + coordinator.id() + " serving gRPC on " + coordinator.address()
                + ", listening on " + coordinator.describeListening() + " (ZooKeeper " + resolved.zookeeper()
                + ", namespace " + resolved.namespace() + ", cluster member " + coordinator.clusterAddress()
                + "); Ctrl-C stops it"));
        if (coordinator.listenAddress().getAddress().isAnyLocalAddress()) {
            printer.print(new Note("warning: listening on every interface, and the gRPC API has no authentication: "
                    + "anyone who can reach port " + coordinator.port() + " can register shards and place teams"));
        }
        Foreground.runUntilStopped(() -> {
            printer.print(new Note("stopping coordinator " + coordinator.id()));
            coordinator.close();
        });
        return 0;
    }

    /** The settings given as flags. */
    Map<Setting, String> flags() {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.ZOOKEEPER, zookeeper);
        flags.put(Setting.GRPC_PORT, grpcPort);
        flags.put(Setting.ID, id);
        flags.put(Setting.HOST, host);
        flags.put(Setting.BIND, bind);
        flags.put(Setting.NAMESPACE, namespace);
        flags.put(Setting.SESSION_TIMEOUT, sessionTimeout);
        flags.put(Setting.CLUSTER_PORT, clusterPort);
        flags.put(Setting.MEMBERS, members);
        flags.put(Setting.CLUSTER_SIZE, clusterSize);
        flags.put(Setting.PROBE_INTERVAL, probeInterval);
        flags.put(Setting.DOWN_AFTER, downAfter);
        flags.put(Setting.MIN_REPLICAS_MAX_LAG, minReplicasMaxLag);
        RedisAuthOptions.refuseCommandLinePassword(redisPassword);
        flags.put(Setting.REDIS_USERNAME, redisUsername);
        flags.put(Setting.REDIS_PASSWORD_FILE, redisPasswordFile);
        return flags;
    }
}
