package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.cli.Views.Note;
import io.thoonk.coordinator.CoordinatorConfig;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.testing.FixtureException;
import io.thoonk.testing.cluster.LocalCluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code thoonk dev}: a whole local Thoonk cluster in one command (a {@link LocalCluster}: ZooKeeper
 * in this JVM, N shards of a redis-server primary and replica, three coordinators forming one
 * Hazelcast cluster, the shards registered), how to connect to it, a short demo of teams spread
 * over the shards, how to try a failover, then it runs until Ctrl-C or SIGTERM, which stop all of
 * it (the fixtures' shutdown hook too, should this command not get to close them).
 */
@Command(name = "dev", description = {"Runs a local cluster until Ctrl-C: an embedded ZooKeeper, three "
        + "coordinators (one Hazelcast cluster: they probe the Redis nodes and promote a replica when a primary "
        + "dies) and N Redis shards (primary + replica each, from redis-server), registered with the coordinators.",
        "Prints how to connect and how to try a failover, then resolves " + DevDemo.TEAMS
                + " teams to show them spread over the shards."})
final class DevCommand implements Callable<Integer> {

    private static final int MAX_SHARDS = 16;
    private static final int MAX_COORDINATORS = 7;

    @ParentCommand
    private ThoonkCli cli;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "2",
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

    @Option(names = "--no-demo", description = "Skip the demo.")
    private boolean noDemo;

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
            List<ResolveResponse> placed = noDemo ? List.of() : new DevDemo(client, printer).run();
            printer.print(new Note(tryCommands(cluster, placed)));
            if (exitAfterDemo) {
                printer.print(new Note("Stopping (--exit-after-demo)."));
                return 0;
            }
            printer.print(new Note("Running until Ctrl-C, which stops the " + coordinators(coordinatorCount)
                    + ", ZooKeeper and the " + cluster.redisProcessCount() + " redis-server processes."));
            Foreground.runUntilStopped(() -> {
                printer.print(new Note("Stopping..."));
                if (record != null) {
                    record.close();
                }
                client.close();
                cluster.close();
            });
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

    private static String tryCommands(LocalCluster cluster, List<ResolveResponse> placed) {
        List<String> lines = new ArrayList<>(List.of("Try, in another terminal (commands use this cluster while it runs):",
                "  ./thoonk admin status",
                "  ./thoonk admin shards",
                "  ./thoonk admin resolve 42 --output json",
                "  ./thoonk feed subscribe 'team.*.news' --pattern    # every shard",
                "  ./thoonk feed publish team.7.news hello    # routed to team 7's shard",
                "  (elsewhere: --coordinator " + String.join(",", cluster.coordinators().addresses()) + ")"));
        placed.stream().filter(r -> r.getPlacement().getTeam().equals("1")).findFirst().ifPresent(team1 ->
                lines.add("  ./thoonk feed all team:1:news --redis redis://" + team1.getShard().getPrimary()
                        + " --force-direct    # team 1 lives on " + team1.getPlacement().getShardId()
                        + "; a shard refuses --redis without --force-direct"));
        failoverTour(cluster, placed).ifPresent(tour -> {
            lines.add("");
            lines.addAll(tour);
        });
        return String.join(System.lineSeparator(), lines);
    }

    /**
     * How to see a failover: subscribe to and publish on team 1's feed, kill its shard's primary,
     * watch a replica take over. Only with a majority of coordinators able to decide (always here)
     * and team 1 placed by the demo.
     */
    private static java.util.Optional<List<String>> failoverTour(LocalCluster cluster, List<ResolveResponse> placed) {
        return placed.stream().filter(r -> r.getPlacement().getTeam().equals("1")).findFirst().map(team1 -> {
            String shard = team1.getPlacement().getShardId();
            long pid = cluster.shard(shard).primary().pid();
            return List.of("Try a failover (team 1's shard " + shard + " has a primary and a replica):",
                    "  ./thoonk feed subscribe team.1.news &                    # keeps listening through it",
                    "  while ./thoonk feed publish team.1.news tick; do :; done &",
                    "  kill -9 " + pid + "    # " + shard + "'s primary, " + team1.getShard().getPrimary(),
                    "  ./thoonk admin status    # within a second: the replica is primary (epoch 2), the failover "
                            + "with its phase timings",
                    "  ./thoonk admin failover " + shard + "    # a planned switchover, no write lost");
        });
    }

    private static String coordinators(int count) {
        return count == 1 ? "a coordinator" : count + " coordinators";
    }
}
