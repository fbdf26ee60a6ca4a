package io.thoonk.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.TeamRule;
import io.thoonk.client.ThoonkException;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceRequest;
import io.thoonk.proto.v1.RebalanceStrategy;
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
import io.thoonk.proto.v1.UndrainShardRequest;
import io.thoonk.proto.v1.UndrainShardResponse;
import io.thoonk.proto.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * {@code thoonk admin ...}: the coordinators' Admin and Directory services from a shell. Each
 * subcommand makes one call on the first coordinator of {@code --coordinator} that answers and prints
 * the answer as a table, or with {@code --output json} as the API message in protobuf JSON;
 * {@code index-shard}, {@code move}, {@code drain} and {@code rebalance} print each message of their
 * stream that way ({@link MoveProgressDisplay} for the moves' progress). Moves go on on the
 * coordinators when the command stops following them: Ctrl-C detaches, saying how to cancel, unless
 * {@code --cancel-on-interrupt} asks it to cancel the moves it started.
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

    private static final String FOLLOW_TIMEOUT_HELP = "Stop following after this long; the work goes on on the "
            + "coordinators (default: ${DEFAULT-VALUE}).";
    private static final String CANCEL_ON_INTERRUPT_HELP = "Ctrl-C cancels the move(s) this command started "
            + "(without it, Ctrl-C only stops following them: they go on).";
    private static final String MAX_CONCURRENT_HELP = "Most moves at a time (default: ${DEFAULT-VALUE}).";

    @Command(name = "move", description = {"Moves a team to another shard while it stays in use: its objects are "
            + "copied while writes go on, then writes pause (clients wait, they get no error) for the last changes "
            + "and the switch. Shows progress (as JSON: each progress message, the last with its final phase).",
            "Ctrl-C stops following it; the move goes on (cancel it with cancel-move), unless --cancel-on-interrupt."})
    int move(@Parameters(paramLabel = TEAM, description = TEAM_HELP) String team,
             @Parameters(paramLabel = "SHARD", description = "The shard to move it to.") String shard,
             @Option(names = "--cancel-on-interrupt", description = CANCEL_ON_INTERRUPT_HELP) boolean cancelOnInterrupt,
             @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "24h",
                     description = FOLLOW_TIMEOUT_HELP) Duration timeout) {
        MoveTeamRequest request = MoveTeamRequest.newBuilder().setTeam(team).setTargetShardId(shard).build();
        return call((client, printer) -> {
            MoveProgressDisplay display = new MoveProgressDisplay(printer);
            AtomicReference<MoveProgress> last = new AtomicReference<>();
            String what = "the move of team " + team + " to " + shard;
            follow(client, display, cancelOnInterrupt, List.of(team), what, timeout,
                    () -> client.adminStream(admin -> admin.moveTeam(request), timeout, p -> {
                        last.set(p);
                        display.move(p);
                    }));
            MoveProgress end = last.get();
            if (end == null || !AdminTexts.finished(end.getPhase())) {
                throw new ThoonkException("the coordinator ended the progress of " + what + " before it finished; "
                        + "see ./thoonk admin moves");
            }
            if (end.getPhase() != MovePhase.MOVE_DONE) {
                throw new ThoonkException(AdminTexts.moveOutcome(end));
            }
        });
    }

    @Command(name = "cancel-move", description = "Cancels a team's move: the team stays, writable, on its shard. "
            + "Too late once the directory names the new shard (the move then finishes).")
    int cancelMove(@Parameters(paramLabel = TEAM, description = TEAM_HELP) String team) {
        return print(client -> {
            CancelMoveResponse answer = client.admin(admin -> admin.cancelMove(CancelMoveRequest.newBuilder()
                    .setTeam(team).build()));
            MoveProgress p = answer.getProgress();
            return new ProtoView(answer, p.getPhase() == MovePhase.MOVE_CANCELLED ? AdminTexts.moveOutcome(p)
                    : "too late to cancel the move of team " + team + ": " + AdminTexts.moveLine(p));
        });
    }

    @Command(name = "moves", description = "Lists the moves in progress and the last finished ones with their "
            + "duration, write pause, bytes and outcome (as JSON: one move per line, in progress first).")
    int moves() {
        return call((client, printer) -> {
            ListMovesResponse moves = client.admin(admin -> admin.listMoves(ListMovesRequest.getDefaultInstance()));
            List<ProtoView> rows = new ArrayList<>();
            moves.getActiveList().forEach(p -> rows.add(new ProtoView(p, "")));
            moves.getHistoryList().forEach(p -> rows.add(new ProtoView(p, "")));
            printer.printList(rows, AdminTexts.moves(moves));
        });
    }

    @Command(name = "drain", description = {"Marks a shard draining (it takes no new teams) and moves every team "
            + "away, for decommissioning; remove-shard then succeeds. Shows progress (as JSON: each progress message).",
            "Ctrl-C stops following it; the drain goes on, unless --cancel-on-interrupt."})
    int drain(@Parameters(paramLabel = "SHARD", description = "The shard's id.") String shard,
              @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "1",
                      description = MAX_CONCURRENT_HELP) int maxConcurrent,
              @Option(names = "--cancel-on-interrupt", description = CANCEL_ON_INTERRUPT_HELP) boolean cancelOnInterrupt,
              @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "24h",
                      description = FOLLOW_TIMEOUT_HELP) Duration timeout) {
        DrainShardRequest request = DrainShardRequest.newBuilder().setShardId(shard)
                .setMaxConcurrentMoves(atLeastOne(maxConcurrent)).build();
        return call((client, printer) -> {
            MoveProgressDisplay display = new MoveProgressDisplay(printer);
            follow(client, display, cancelOnInterrupt, List.of(), "draining shard " + shard, timeout,
                    () -> client.adminStream(admin -> admin.drainShard(request), timeout,
                            p -> display.show(p, AdminTexts.drainHeader(p), p.getMovesList())));
        });
    }

    /** What a rebalance evens out. */
    enum Strategy {
        TEAMS(RebalanceStrategy.REBALANCE_TEAM_COUNT),
        MEMORY(RebalanceStrategy.REBALANCE_MEMORY),
        OPERATIONS(RebalanceStrategy.REBALANCE_OPERATIONS);

        final RebalanceStrategy api;

        Strategy(RebalanceStrategy api) {
            this.api = api;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Command(name = "undrain", description = "Lets a draining shard take teams again (after a drain that was stopped, "
            + "or to keep a drained shard).")
    int undrain(@Parameters(paramLabel = "SHARD", description = "The shard's id.") String shard) {
        return print(client -> {
            UndrainShardResponse answer = client.admin(admin -> admin.undrainShard(UndrainShardRequest.newBuilder()
                    .setShardId(shard).build()));
            return new ProtoView(answer, AdminTexts.shard("takes teams again:", answer.getShard()));
        });
    }

    @Command(name = "rebalance", description = {"Evens out the shards' team count, memory or operation rate "
            + "(weights and pinned teams respected) by moving teams. Shows the plan first (each shard's load before "
            + "and after, and the moves), then carries it out with --yes or once confirmed on a terminal, showing "
            + "progress (as JSON: each message, the first with the plan).",
            "Ctrl-C stops following it; the moves go on, unless --cancel-on-interrupt."})
    int rebalance(@Option(names = "--strategy", paramLabel = "teams|memory|operations", defaultValue = "teams",
                          description = "What to even out (default: ${DEFAULT-VALUE}).") Strategy strategy,
                  @Option(names = "--max-concurrent", paramLabel = "N", defaultValue = "1",
                          description = MAX_CONCURRENT_HELP) int maxConcurrent,
                  @Option(names = "--dry-run", description = "Only show the plan.") boolean dryRun,
                  @Option(names = "--yes", description = "Carry out the plan without asking.") boolean yes,
                  @Option(names = "--cancel-on-interrupt", description = CANCEL_ON_INTERRUPT_HELP)
                  boolean cancelOnInterrupt,
                  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "24h",
                          description = FOLLOW_TIMEOUT_HELP) Duration timeout) {
        RebalanceRequest.Builder request = RebalanceRequest.newBuilder().setStrategy(strategy.api)
                .setMaxConcurrentMoves(atLeastOne(maxConcurrent));
        return call((client, printer) -> {
            RebalanceProgress planned = null;
            if (dryRun || !yes) {
                planned = plan(client, request.clone().setDryRun(true).build());
                printer.print(new ProtoView(planned, AdminTexts.plan(planned, strategy.api)));
                if (dryRun || planned.getPlanCount() == 0) {
                    return;
                }
                confirm(planned);
            }
            RebalanceProgress confirmed = planned;
            MoveProgressDisplay display = new MoveProgressDisplay(printer);
            AtomicReference<Boolean> first = new AtomicReference<>(true);
            follow(client, display, cancelOnInterrupt, List.of(), "the rebalance", timeout,
                    () -> client.adminStream(admin -> admin.rebalance(request.clone().setDryRun(false).build()),
                            timeout, p -> {
                                if (first.getAndSet(false) && printer.format() == OutputFormat.TEXT
                                        && (confirmed == null || !confirmed.getPlanList().equals(p.getPlanList()))) {
                                    printer.print(new Views.Note((confirmed == null ? "" : "the plan changed since "
                                            + "it was shown; carrying out this one:" + System.lineSeparator())
                                            + AdminTexts.plan(p, strategy.api)));
                                }
                                display.show(p, AdminTexts.rebalanceHeader(p), p.getMovesList());
                            }));
        });
    }

    /** A dry run's plan: the first message of its stream. */
    private static RebalanceProgress plan(CoordinatorClient client, RebalanceRequest dryRun) {
        AtomicReference<RebalanceProgress> plan = new AtomicReference<>();
        client.adminStream(admin -> admin.rebalance(dryRun), CoordinatorClient.CALL_TIMEOUT, p -> plan.compareAndSet(null, p));
        if (plan.get() == null) {
            throw new ThoonkException("the coordinator sent no rebalance plan");
        }
        return plan.get();
    }

    /** Asks on a terminal; anywhere else only --yes carries a plan out. */
    private void confirm(RebalanceProgress plan) {
        String moves = plan.getPlanCount() == 1 ? "this move" : "these " + plan.getPlanCount() + " moves";
        if (!cli.terminal()) {
            throw new InvalidArgumentException("not rebalancing: carry out " + moves + " with --yes (or run the "
                    + "command on a terminal, to be asked); --dry-run only shows the plan");
        }
        PrintWriter err = cli.err();
        err.print("carry out " + moves + "? [y/N] ");
        err.flush();
        String answer;
        try {
            answer = new BufferedReader(new InputStreamReader(cli.stdin(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new ThoonkException("cannot read the answer: " + e.getMessage(), e);
        }
        if (answer == null || !answer.trim().toLowerCase(Locale.ROOT).matches("y|yes")) {
            throw new ThoonkException("not rebalancing: not confirmed");
        }
    }

    private int atLeastOne(int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new InvalidArgumentException("--max-concurrent must be at least 1, was " + maxConcurrent);
        }
        return maxConcurrent;
    }

    /**
     * Follows a progress stream until it ends, its {@code timeout} passes (the work goes on), or the
     * process is stopped (Ctrl-C, SIGTERM): then, with {@code cancelOnInterrupt}, cancels the moves
     * in progress ({@code teams} if none was reported yet), else says that the work goes on and how
     * to cancel it.
     */
    private void follow(CoordinatorClient client, MoveProgressDisplay display, boolean cancelOnInterrupt,
                        List<String> teams, String what, Duration timeout, Runnable stream) {
        PrintWriter err = cli.err();
        Runnable interrupted = () -> {
            List<String> moving = display.inProgress().isEmpty() ? teams
                    : display.inProgress().stream().map(MoveProgress::getTeam).toList();
            if (cancelOnInterrupt) {
                moving.forEach(team -> cancelOnStop(client, team, err));
                if (moving.isEmpty()) {
                    warn(err, "detached: no move in progress to cancel; " + what + " goes on (see ./thoonk admin moves)");
                }
            } else {
                warn(err, "detached: " + what + " goes on on the coordinators; follow it with ./thoonk admin moves, "
                        + "cancel " + (moving.size() == 1 ? "it with ./thoonk admin cancel-move " + moving.get(0)
                        : "a move with ./thoonk admin cancel-move TEAM" + (moving.isEmpty() ? ""
                        : " (in progress: " + String.join(", ", moving) + ")")));
            }
        };
        try (Interruption ignored = Interruption.on(interrupted)) {
            stream.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.DEADLINE_EXCEEDED) {
                throw e;
            }
            throw Status.DEADLINE_EXCEEDED.withDescription("stopped following " + what + " after "
                    + Durations.format(timeout) + "; it goes on on the coordinators (see ./thoonk admin moves)")
                    .asRuntimeException();
        }
    }

    private static void cancelOnStop(CoordinatorClient client, String team, PrintWriter err) {
        try {
            MoveProgress p = client.admin(admin -> admin.cancelMove(CancelMoveRequest.newBuilder().setTeam(team)
                    .build())).getProgress();
            warn(err, p.getPhase() == MovePhase.MOVE_CANCELLED ? AdminTexts.moveOutcome(p)
                    : "too late to cancel the move of team " + team + ": " + AdminTexts.moveLine(p));
        } catch (RuntimeException e) {
            warn(err, "could not cancel the move of team " + team + " (" + e.getMessage() + "); it may go on: "
                    + "./thoonk admin cancel-move " + team);
        }
    }

    private static void warn(PrintWriter err, String message) {
        synchronized (err) {
            err.println("thoonk: " + message);
            err.flush();
        }
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
