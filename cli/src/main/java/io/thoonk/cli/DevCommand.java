package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.cli.Views.Note;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.cluster.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code thoonk dev}: a whole local Thoonk cluster in one command (a {@link LocalCluster}: ZooKeeper
 * in this JVM, N shards of a redis-server primary and replica, three coordinators forming one
 * Hazelcast cluster, the shards registered), how to connect to it, and a live demo: a
 * {@link DevWorkload} (teams publishing, a subscriber per team, a job worker) that runs while the
 * cluster runs, and a {@link DevDemo} tour of placement, a failover and a team move as they happen.
 * Then it runs until Ctrl-C or SIGTERM, which stop all of it (the fixtures' shutdown hook too,
 * should this command not get to close them).
 */
@Command(name = "dev", description = {"Runs a local cluster until Ctrl-C: an embedded ZooKeeper, three "
        + "coordinators (one Hazelcast cluster: they probe the Redis nodes and promote a replica when a primary "
        + "dies) and N Redis shards (primary + replica each, from redis-server), registered with the coordinators.",
        "Unless --no-demo, a demo workload runs with it (teams publishing, a subscriber per team, a job worker) "
                + "and a tour shows where the teams were placed, a failover (it kills a shard's primary) and a "
                + "team move as they happen."})
final class DevCommand implements Callable<Integer> {

    private static final int MAX_SHARDS = 16;
    private static final int MAX_COORDINATORS = 7;
    private static final Duration MAX_PAUSE = Duration.ofMinutes(1);

    @ParentCommand
    private ThoonkCli cli;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "3",
            description = "Number of Redis shards, 1.." + MAX_SHARDS + " (default: ${DEFAULT-VALUE}).")
    private int shardCount;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "7400",
            description = "The first coordinator's gRPC port, the others taking the next ones; 0 picks free ones "
                    + "(default: ${DEFAULT-VALUE}).")
    private int port;

    @Option(names = "--coordinators", paramLabel = "N", defaultValue = "3",
            description = "Number of coordinators, 1.." + MAX_COORDINATORS + "; failover needs a majority of them "
                    + "(default: ${DEFAULT-VALUE}).")
    private int coordinatorCount;

    @Option(names = "--no-demo", description = "Just run the cluster: no demo workload, no tour.")
    private boolean noDemo;

    @Option(names = "--demo-pause", paramLabel = "DURATION", defaultValue = "3s",
            description = "Pause between the tour's steps, to read them (default: ${DEFAULT-VALUE}).")
    private Duration demoPause;

    @Option(names = "--exit-after-demo", description = "Stop everything after the demo instead of running until "
            + "Ctrl-C (for scripts and tests).")
    private boolean exitAfterDemo;

    @Override
    public Integer call() {
        if (shardCount < 1 || shardCount > MAX_SHARDS) {
            throw new InvalidArgumentException("--shards must be 1.." + MAX_SHARDS + ", was " + shardCount);
        }
        if (coordinatorCount < 1 || coordinatorCount > MAX_COORDINATORS) {
            throw new InvalidArgumentException("--coordinators must be 1.." + MAX_COORDINATORS + ", was "
                    + coordinatorCount);
        }
        if (demoPause.compareTo(MAX_PAUSE) > 0) {
            throw new InvalidArgumentException("--demo-pause must be at most " + Durations.format(MAX_PAUSE) + ", was "
                    + Durations.format(demoPause));
        }
        if (port < 0 || port + coordinatorCount - 1 > 65535) {
            throw new InvalidArgumentException("--port must be 0.." + (65536 - coordinatorCount) + " for "
                    + coordinatorCount + " coordinator(s), was " + port);
        }
        Printer printer = cli.printer();
        printer.print(new Note("Starting an embedded ZooKeeper, " + shardCount + " Redis shard(s) "
                + "(primary + replica each) and " + coordinators(coordinatorCount) + "..."));
        try (LocalCluster cluster = start(shardCount, coordinatorCount, port);
             CoordinatorClient client = new CoordinatorClient(cluster.coordinators().addresses());
             LocalClusterRecord.Written record = record(cluster, printer)) {
            printer.print(DevViews.Started.of(cluster));
            if (record != null) {
                printer.print(new Note("Commands given no --redis or --coordinator use this cluster while it runs "
                        + "(recorded in " + record.path() + ")."));
            }
            DevWorkload workload = noDemo ? null : DevWorkload.start(cluster.coordinators().addresses(), printer);
            try {
                boolean clean = workload == null || new DevDemo(cluster, client, workload, printer, demoPause).run();
                printer.print(new Note(tryCommands(cluster, client, noDemo)));
                if (exitAfterDemo) {
                    printer.print(new Note("Stopping (--exit-after-demo)."));
                    return clean ? 0 : 1;
                }
                printer.print(new Note("Running until Ctrl-C, which stops " + (workload == null ? "" : "the demo "
                        + "workload, ") + "the " + coordinators(coordinatorCount) + ", ZooKeeper and the "
                        + cluster.redisProcessCount() + " redis-server processes."));
                Foreground.runUntilStopped(() -> {
                    printer.print(new Note("Stopping..."));
                    if (workload != null) {
                        workload.close();
                    }
                    if (record != null) {
                        record.close();
                    }
                    client.close();
                    cluster.close();
                });
            } finally {
                if (workload != null) {
                    workload.close();
                }
            }
        }
        return 0;
    }

    /**
     * Starts the cluster, serving this machine only (the coordinator, ZooKeeper and Redis all listen
     * on loopback: none of them authenticates); a failure says what to do about it.
     */
    private static LocalCluster start(int shardCount, int coordinatorCount, int port) {
        String[] ids = coordinatorCount == 1 ? new String[] {"dev"}
                : java.util.stream.IntStream.rangeClosed(1, coordinatorCount).mapToObj(i -> "dev-" + i)
                        .toArray(String[]::new);
        try {
            return LocalCluster.builder().shards(shardCount).replicasPerShard(1).coordinators(ids)
                    .coordinatorPort(port).coordinatorSettings(c -> c.bind(CoordinatorConfig.DEFAULT_BIND)).start();
        } catch (FixtureException e) {
            throw Foreground.startFailure("the local cluster", port, e);
        }
    }

    /**
     * Records where the cluster is, so commands given no --redis or --coordinator use it; the
     * returned handle removes the record. A record that cannot be written is reported, not fatal
     * (then null).
     */
    private static LocalClusterRecord.Written record(LocalCluster cluster, Printer printer) {
        try {
            return LocalClusterRecord.ofThisProcess(cluster.coordinators().addresses()).write();
        } catch (IOException | RuntimeException e) {
            printer.print(new Note("Could not record this cluster in " + LocalClusterRecord.location() + " (" + e
                    + "): give commands --coordinator " + String.join(",", cluster.coordinators().addresses())
                    + "."));
            return null;
        }
    }

    private static String tryCommands(LocalCluster cluster, CoordinatorClient client, boolean noDemo) {
        String team = noDemo ? "7" : DevWorkload.TEAMS.get(0);
        List<String> lines = new ArrayList<>(List.of("Try, in another terminal (commands use this cluster while it runs):",
                "  ./thoonk admin status",
                "  ./thoonk admin shards",
                "  ./thoonk admin resolve " + team + " --output json",
                "  ./thoonk feed subscribe 'team.*.news' --pattern    # every shard",
                "  ./thoonk feed publish team." + team + ".news hello    # routed to team " + team + "'s shard",
                "  (elsewhere: --coordinator " + String.join(",", cluster.coordinators().addresses()) + ")"));
        failoverTour(cluster, client, noDemo).ifPresent(tour -> {
            lines.add("");
            lines.addAll(tour);
        });
        return String.join(System.lineSeparator(), lines);
    }

    /**
     * How to see a failover by hand: subscribe to and publish on a team's feed, kill its shard's
     * primary, watch the replica take over. On the first shard that still has a replica (the demo
     * used one already), with a team on it: the demo's, else team 1 (placed by the resolve).
     */
    private static Optional<List<String>> failoverTour(LocalCluster cluster, CoordinatorClient client, boolean noDemo) {
        List<String> teams = noDemo ? List.of("1") : DevWorkload.TEAMS;
        for (String team : teams) {
            ResolveResponse placed = client.directory(d -> d.resolve(ResolveRequest.newBuilder().setTeam(team).build()));
            Shard shard = placed.getShard();
            if (shard.getState() != ShardState.SHARD_ACTIVE || shard.getReplicasCount() == 0) {
                continue;
            }
            Optional<RedisProcess> primary = cluster.shard(shard.getId()).processes().stream()
                    .filter(p -> p.address().equals(shard.getPrimary())).findFirst();
            if (primary.isEmpty()) {
                continue;
            }
            String feed = "team." + team + ".news";
            return Optional.of(List.of("Try a failover (team " + team + "'s shard " + shard.getId()
                            + " has a primary and a replica):",
                    "  ./thoonk feed subscribe " + feed + " &                    # keeps listening through it",
                    "  while ./thoonk feed publish " + feed + " tick; do :; done &",
                    "  kill -9 " + primary.get().pid() + "    # " + shard.getId() + "'s primary, " + shard.getPrimary(),
                    "  ./thoonk admin status    # within a second: the replica is primary (epoch " + (shard.getEpoch() + 1)
                            + "), the failover with its phase timings",
                    "  ./thoonk admin failover " + shard.getId() + "    # a planned switchover, no write lost"));
        }
        return Optional.empty();
    }

    private static String coordinators(int count) {
        return count == 1 ? "a coordinator" : count + " coordinators";
    }
}
