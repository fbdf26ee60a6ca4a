package io.thoonk.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.TeamRule;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AddShardResponse;
import io.thoonk.proto.v1.FailoverRequest;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.IndexShardRequest;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.PlaceTeamResponse;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@code thoonk admin ...}: the coordinators' Admin and Directory services from a shell. Each
 * subcommand makes one call on the first coordinator of {@code --coordinator} that answers and prints
 * the answer as a table, or with {@code --output json} as the API message in protobuf JSON;
 * {@code index-shard} prints each message of its stream that way.
 */
@Command(name = "admin", description = {"Inspects and changes the team -> shard directory through the coordinators.",
        "Failures print 'thoonk: <gRPC code>: <description>'; exit code 2 for INVALID_ARGUMENT, else 1."})
final class AdminCommand {

    private static final String TEAM = "TEAM";
    private static final String TEAM_HELP = "The team's name, e.g. 353 (the <team> of team:<team>:... objects).";

    @ParentCommand
    private ThoonkCli cli;

    @Mixin
    private CoordinatorOptions coordinators;

    @Command(name = "status", description = "Shows the coordinators, the leader, quorum, the shards, each node's "
            + "health as each coordinator sees it, the team count and the last failovers with their phase timings.")
    int status() {
        return call((client, printer) -> {
            StatusResponse status = client.admin(admin -> admin.status(StatusRequest.getDefaultInstance()));
            printer.print(new ProtoView(status, AdminTexts.status(status)));
        });
    }

    @Command(name = "shards", description = "Lists the shards (as JSON: one shard per line).")
    int shards() {
        return call((client, printer) -> {
            List<Shard> shards = client.directory(d -> d.listShards(ListShardsRequest.getDefaultInstance()))
                    .getShardsList();
            printer.printList(shards.stream().map(s -> new ProtoView(s, "")).toList(), AdminTexts.shards(shards));
        });
    }

    @Command(name = "add-shard", description = "Registers a shard; the coordinator first checks that the primary "
            + "and replicas answer and replicate.")
    int addShard(@Parameters(paramLabel = "ID", description = "The shard's id: letters, digits, '.', '_', '-'.")
                 String id,
                 @Parameters(paramLabel = "PRIMARY", description = "The primary's HOST:PORT.") String primary,
                 @Option(names = "--replica", paramLabel = "HOST:PORT", description = "A replica (repeatable).")
                 List<String> replicas,
                 @Option(names = "--weight", paramLabel = "N",
                         description = "Relative capacity for placing new teams (default 1); 0: the shard takes "
                                 + "no new teams, only those put there with place-team.") Integer weight) {
        AddShardRequest.Builder request = AddShardRequest.newBuilder().setId(id).setPrimary(primary);
        if (replicas != null) {
            request.addAllReplicas(replicas);
        }
        if (weight != null) {
            request.setWeight(weight);
        }
        return print(client -> {
            AddShardResponse added = client.admin(admin -> admin.addShard(request.build()));
            return new ProtoView(added, AdminTexts.shard("added", added.getShard()));
        });
    }

    @Command(name = "remove-shard", description = "Removes a shard that owns no teams.")
    int removeShard(@Parameters(paramLabel = "ID", description = "The shard's id.") String id) {
        return print(client -> {
            client.admin(admin -> admin.removeShard(RemoveShardRequest.newBuilder().setId(id).build()));
            return new Removed(id);
        });
    }

    @Command(name = "team", description = "Shows where a team lives, without placing it.")
    int team(@Parameters(paramLabel = TEAM, description = TEAM_HELP) String team) {
        return print(client -> {
            GetTeamResponse answer = client.admin(admin -> admin.getTeam(GetTeamRequest.newBuilder().setTeam(team)
                    .build()));
            return new ProtoView(answer, AdminTexts.team(answer));
        });
    }

    @Command(name = "place-team", description = "Places a team on a shard explicitly.")
    int placeTeam(@Parameters(paramLabel = TEAM, description = TEAM_HELP) String team,
                  @Parameters(paramLabel = "SHARD", description = "The shard's id.") String shard,
                  @Option(names = "--pin", description = "Pin it there: rebalancing leaves it alone.") boolean pin) {
        return print(client -> {
            PlaceTeamResponse placed = client.admin(admin -> admin.placeTeam(PlaceTeamRequest.newBuilder()
                    .setTeam(team).setShardId(shard).setPin(pin).build()));
            return new ProtoView(placed, AdminTexts.placement(placed.getPlacement(), null));
        });
    }

    @Command(name = "failover", description = {"Hands a shard's primary over to a replica with no lost write: "
            + "writes pause while the replica catches up, then it is promoted and the directory names it "
            + "(shard epoch + 1); the old primary becomes its replica.",
            "Refused, changing nothing, when no replica is in sync; when the replica does not catch up within "
            + "--timeout the primary stays primary."})
    int failover(@Parameters(paramLabel = "SHARD", description = "The shard's id.") String shard,
                 @Option(names = "--to", paramLabel = "HOST:PORT", description = "The replica to promote (default: "
                         + "the replica with the highest replication offset).") String to,
                 @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s",
                         description = "Longest write pause allowed for the replica to catch up, up to 5s "
                                 + "(default: ${DEFAULT-VALUE}).") Duration timeout) {
        FailoverRequest.Builder request = FailoverRequest.newBuilder().setShardId(shard)
                .setTimeoutMillis(timeout.toMillis());
        if (to != null) {
            request.setTo(to);
        }
        return print(client -> {
            FailoverResponse done = client.admin(admin -> admin.failover(request.build()));
            return new ProtoView(done, AdminTexts.failedOver(done));
        });
    }

    @Command(name = "resolve", description = "Resolves a team through the Directory service, as clients do: "
            + "a team seen for the first time is placed on the least-loaded shard.")
    int resolve(@Parameters(paramLabel = TEAM, description = TEAM_HELP) String team) {
        return print(client -> {
            ResolveResponse answer = client.directory(d -> d.resolve(ResolveRequest.newBuilder().setTeam(team)
                    .build()));
            return new ProtoView(answer, AdminTexts.resolved(answer));
        });
    }

    @Command(name = "index-shard", description = {"Puts every object on a shard into its team's object index, "
            + "once: for data written before the index existed, or by original Thoonk peers (Thoonk clients keep the "
            + "index up to date themselves). Prints progress as pages finish, then a summary (as JSON: each "
            + "progress message, the last with done=true). Running it again is harmless.",
            "Ctrl-C stops it between pages; what was indexed stays indexed."})
    int indexShard(@Parameters(paramLabel = "SHARD", description = "The shard's id.") String shard,
                   @Option(names = "--global-team", paramLabel = "TEAM", description = "The team of objects whose "
                           + "names spell none (team:<id>:... and team.<id>.... spell one): the clients' "
                           + "TeamRule.standard(globalTeam) (default: " + TeamRule.DEFAULT_GLOBAL_TEAM + ").")
                   String globalTeam,
                   @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1h",
                           description = "Stop waiting, and the run, after this long (default: ${DEFAULT-VALUE}).")
                   Duration timeout) {
        IndexShardRequest.Builder request = IndexShardRequest.newBuilder().setShardId(shard);
        if (globalTeam != null) {
            request.setGlobalTeam(globalTeam);
        }
        return call((client, printer) -> {
            try {
                client.adminStream(admin -> admin.indexShard(request.build()), timeout,
                        progress -> printer.print(new ProtoView(progress, AdminTexts.indexProgress(progress))));
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                    throw e;
                }
                throw Status.DEADLINE_EXCEEDED.withDescription("indexing shard " + shard + " did not finish within "
                        + Durations.format(timeout) + "; what was indexed stays indexed: run it again, with a "
                        + "larger --timeout").asRuntimeException();
            }
        });
    }

    private int call(BiConsumer<CoordinatorClient, Printer> action) {
        Printer printer = cli.printer();
        try (CoordinatorClient client = coordinators.open()) {
            action.accept(client, printer);
        }
        return 0;
    }

    private int print(Function<CoordinatorClient, ? extends View> action) {
        return call((client, printer) -> printer.print(action.apply(client)));
    }

    /** A removed shard. */
    record Removed(String removedShardId) implements View {
        @Override
        public String text() {
            return "removed shard " + removedShardId;
        }
    }
}
