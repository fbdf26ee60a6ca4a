package io.thoonk.coordinator.grpc;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.thoonk.contract.NameRules;
import io.thoonk.contract.ObjectIndexer;
import io.thoonk.contract.StandardTeams;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.cluster.NodeHealthView;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.directory.FailoverHistory;
import io.thoonk.coordinator.failover.Promoter;
import io.thoonk.coordinator.migration.BatchHandle;
import io.thoonk.coordinator.migration.MoveHandle;
import io.thoonk.coordinator.migration.Mover;
import io.thoonk.coordinator.migration.RebalancePlan;
import io.thoonk.coordinator.migration.Rebalancer;
import io.thoonk.coordinator.placement.Placer;
import io.thoonk.coordinator.placement.ShardRegistry;
import io.thoonk.coordinator.shard.NodeReport;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AddShardResponse;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CoordinatorInfo;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceRequest;
import io.thoonk.proto.v1.UndrainShardRequest;
import io.thoonk.proto.v1.UndrainShardResponse;
import io.thoonk.proto.v1.FailoverRequest;
import io.thoonk.proto.v1.FailoverResponse;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.IndexShardProgress;
import io.thoonk.proto.v1.IndexShardRequest;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.PlaceTeamResponse;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.RemoveShardResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code thoonk.v1.Admin}: writes go to the leader; reads come from the cache; indexing a shard
 * runs where it is asked.
 */
public final class AdminService extends AdminGrpc.AdminImplBase {

    private static final Logger log = LoggerFactory.getLogger(AdminService.class);

    private final DirectoryCache cache;
    private final Placer placer;
    private final ShardRegistry shards;
    private final Leadership leadership;
    private final Writes writes;
    private final Supplier<List<CoordinatorInfo>> coordinators;
    private final ShardNodes nodes;
    private final Promoter promoter;
    private final FailoverHistory failovers;
    private final NodeHealthView health;
    private final Mover mover;
    private final Rebalancer rebalancer;

    public AdminService(DirectoryCache cache, Placer placer, ShardRegistry shards, Leadership leadership,
                        Writes writes, Supplier<List<CoordinatorInfo>> coordinators, ShardNodes nodes,
                        Promoter promoter, FailoverHistory failovers, NodeHealthView health, Mover mover,
                        Rebalancer rebalancer) {
        this.cache = cache;
        this.placer = placer;
        this.shards = shards;
        this.leadership = leadership;
        this.writes = writes;
        this.coordinators = coordinators;
        this.nodes = nodes;
        this.promoter = promoter;
        this.failovers = failovers;
        this.health = health;
        this.mover = mover;
        this.rebalancer = rebalancer;
    }

    private AdminGrpc.AdminBlockingStub leader(io.grpc.ManagedChannel channel) {
        return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(Writes.deadlineMillis(), Writes.unit());
    }

    @Override
    public void addShard(AddShardRequest request, StreamObserver<AddShardResponse> out) {
        writes.run(out, () -> {
            String id = shardId(request.getId());
            String primary = ShardNodes.address("primary", request.getPrimary());
            request.getReplicasList().forEach(r -> ShardNodes.address("replica", r));
            int weight = request.hasWeight() ? request.getWeight() : 1;
            return AddShardResponse.newBuilder().setShard(shards.add(id, primary, request.getReplicasList(), weight))
                    .build();
        }, channel -> leader(channel).addShard(request));
    }

    @Override
    public void removeShard(RemoveShardRequest request, StreamObserver<RemoveShardResponse> out) {
        writes.run(out, () -> {
            shards.remove(shardId(request.getId()));
            return RemoveShardResponse.getDefaultInstance();
        }, channel -> leader(channel).removeShard(request));
    }

    @Override
    public void placeTeam(PlaceTeamRequest request, StreamObserver<PlaceTeamResponse> out) {
        writes.run(out, () -> PlaceTeamResponse.newBuilder().setPlacement(placer.placeExplicit(
                TeamNames.valid(request.getTeam()), shardId(request.getShardId()), request.getPin())).build(),
                channel -> leader(channel).placeTeam(request));
    }

    @Override
    public void getTeam(GetTeamRequest request, StreamObserver<GetTeamResponse> out) {
        try {
            String team = TeamNames.valid(request.getTeam());
            DirectoryView view = cache.view();
            var placement = view.team(team).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "team '" + team + "' is not placed yet (Resolve places it)"));
            GetTeamResponse.Builder b = GetTeamResponse.newBuilder().setPlacement(placement);
            view.shard(placement.getShardId()).ifPresent(b::setShard);
            out.onNext(b.build());
            out.onCompleted();
        } catch (RuntimeException e) {
            out.onError(Statuses.toStatus(e));
        }
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
        String leader = leadership.leaderId();
        DirectoryView view = cache.view();
        out.onNext(StatusResponse.newBuilder().addAllCoordinators(coordinators.get())
                .setLeaderId(leader.contains("@") ? leader.substring(0, leader.indexOf('@')) : leader)
                .addAllShards(view.shards()).setTeamCount(view.teamCount())
                .setDirectoryRevision(view.revision()).addAllRecentFailovers(failovers.recent())
                .addAllNodes(nodeHealth(view)).setQuorum(health.hasQuorum()).build());
        out.onCompleted();
    }

    /** Default write pause allowed for a switchover when the request leaves it at 0. */
    static final Duration DEFAULT_SWITCHOVER_TIMEOUT = Duration.ofSeconds(1);

    @Override
    public void failover(FailoverRequest request, StreamObserver<FailoverResponse> out) {
        writes.run(out, () -> {
            String id = shardId(request.getShardId());
            Optional<String> to = request.getTo().isEmpty() ? Optional.empty()
                    : Optional.of(ShardNodes.address("replica", request.getTo()));
            if (request.getTimeoutMillis() < 0) {
                throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "timeout_millis must be "
                        + ">= 0 (0: " + DEFAULT_SWITCHOVER_TIMEOUT.toMillis() + " ms), was " + request.getTimeoutMillis());
            }
            Duration timeout = request.getTimeoutMillis() == 0 ? DEFAULT_SWITCHOVER_TIMEOUT
                    : Duration.ofMillis(request.getTimeoutMillis());
            return promoter.switchover(id, to, timeout);
        }, channel -> leader(channel).failover(request));
    }

    /**
     * Starts the move on the leader and streams its progress (each phase change, at least every
     * second, the last message with a final phase). The stream only watches: a caller that goes away
     * leaves the move running.
     */
    @Override
    public void moveTeam(MoveTeamRequest request, StreamObserver<MoveProgress> responses) {
        ServerCallStreamObserver<MoveProgress> out = (ServerCallStreamObserver<MoveProgress>) responses;
        writes.stream(out, caller -> {
            String team = TeamNames.valid(request.getTeam());
            MoveHandle move = mover.move(team, shardId(request.getTargetShardId()));
            java.util.function.Consumer<MoveProgress> relay = new java.util.function.Consumer<>() {
                @Override
                public void accept(MoveProgress progress) {
                    if (out.isCancelled()) {
                        move.removeListener(this);
                        return;
                    }
                    out.onNext(progress);
                    if (isFinal(progress.getPhase())) {
                        out.onCompleted();
                    }
                }
            };
            out.setOnCancelHandler(() -> move.removeListener(relay));
            move.addListener(relay);
            move.completion().whenComplete((last, error) -> {
                if (error != null && !out.isCancelled()) {
                    out.onError(Statuses.toStatus(error));
                }
            });
        }, (channel, caller) -> io.thoonk.proto.v1.AdminGrpc.newStub(channel).moveTeam(request, caller));
    }

    static boolean isFinal(MovePhase phase) {
        return phase == MovePhase.MOVE_DONE || phase == MovePhase.MOVE_CANCELLED
                || phase == MovePhase.MOVE_ROLLED_BACK;
    }

    @Override
    public void cancelMove(CancelMoveRequest request, StreamObserver<CancelMoveResponse> out) {
        writes.run(out, () -> CancelMoveResponse.newBuilder()
                        .setProgress(mover.cancel(TeamNames.valid(request.getTeam()))).build(),
                channel -> leader(channel).cancelMove(request));
    }

    @Override
    public void listMoves(ListMovesRequest request, StreamObserver<ListMovesResponse> out) {
        writes.run(out, () -> ListMovesResponse.newBuilder().addAllActive(mover.active())
                        .addAllHistory(mover.history()).build(),
                channel -> leader(channel).listMoves(request));
    }

    /**
     * Marks the shard draining and moves its teams away, on the leader, streaming progress; the
     * stream only watches (a caller that goes away leaves the drain running).
     */
    @Override
    public void drainShard(DrainShardRequest request, StreamObserver<DrainProgress> responses) {
        ServerCallStreamObserver<DrainProgress> out = (ServerCallStreamObserver<DrainProgress>) responses;
        writes.stream(out, caller -> relay(out, rebalancer.drain(shardId(request.getShardId()),
                        request.getMaxConcurrentMoves()), DrainProgress::getDone),
                (channel, caller) -> AdminGrpc.newStub(channel).drainShard(request, caller));
    }

    @Override
    public void undrainShard(UndrainShardRequest request, StreamObserver<UndrainShardResponse> out) {
        writes.run(out, () -> UndrainShardResponse.newBuilder()
                        .setShard(rebalancer.undrain(shardId(request.getShardId()))).build(),
                channel -> leader(channel).undrainShard(request));
    }

    /**
     * Plans on the leader and sends the plan first (with the loads before and as planned); a dry run
     * (or an empty plan) ends there, otherwise the moves run and progress follows. The stream only
     * watches, like a drain's.
     */
    @Override
    public void rebalance(RebalanceRequest request, StreamObserver<RebalanceProgress> responses) {
        ServerCallStreamObserver<RebalanceProgress> out = (ServerCallStreamObserver<RebalanceProgress>) responses;
        writes.stream(out, caller -> {
            int concurrent = Rebalancer.concurrency(request.getMaxConcurrentMoves());
            RebalancePlan plan = rebalancer.plan(request.getStrategy());
            RebalanceProgress.Builder first = RebalanceProgress.newBuilder().addAllPlan(plan.moves())
                    .addAllBefore(plan.before()).addAllAfter(plan.after()).setMovesTotal(plan.moves().size());
            if (request.getDryRun() || plan.moves().isEmpty()) {
                out.onNext(first.setDone(true).setOutcome(plan.moves().isEmpty()
                        ? "nothing to move: " + plan.strategy() + " is as even as single team moves make it"
                        : "dry run: " + plan.moves().size() + " move(s) planned, none run").build());
                out.onCompleted();
                return;
            }
            BatchHandle<RebalanceProgress> batch = rebalancer.rebalance(plan, concurrent);
            out.onNext(first.build());
            relay(out, batch, RebalanceProgress::getDone);
        }, (channel, caller) -> AdminGrpc.newStub(channel).rebalance(request, caller));
    }

    /** Sends a batch's reports to the caller until the last; a caller that goes away stops listening. */
    private static <P> void relay(ServerCallStreamObserver<P> out, BatchHandle<P> batch, Predicate<P> last) {
        Consumer<P> relay = new Consumer<>() {
            @Override
            public void accept(P progress) {
                if (out.isCancelled()) {
                    batch.removeListener(this);
                    return;
                }
                out.onNext(progress);
                if (last.test(progress)) {
                    out.onCompleted();
                }
            }
        };
        out.setOnCancelHandler(() -> batch.removeListener(relay));
        batch.addListener(relay);
    }

    /** Every node of every shard as every live coordinator sees it, in directory order. */
    private List<NodeHealth> nodeHealth(DirectoryView view) {
        List<NodeHealth> out = new ArrayList<>();
        for (Shard shard : view.shards()) {
            List<String> nodes = new ArrayList<>();
            if (!shard.getPrimary().isEmpty()) {
                nodes.add(shard.getPrimary());
            }
            nodes.addAll(shard.getReplicasList());
            for (String node : nodes) {
                for (Map.Entry<String, NodeReport> e : health.reports(node).entrySet()) {
                    NodeReport r = e.getValue();
                    out.add(NodeHealth.newBuilder().setCoordinatorId(e.getKey()).setShardId(shard.getId()).setNode(node)
                            .setReachable(r.reachable()).setRole(r.role()).setReplicationOffset(r.replicationOffset())
                            .setLinkUp(r.linkUp()).setDownForMillis(r.downForMillis()).setError(r.error())
                            .setProbedAtMillis(r.probedAtMillis()).build());
                }
            }
        }
        return out;
    }

    /**
     * Runs here, on whichever coordinator the caller reached, and on the call's thread: it reads
     * only this coordinator's view of the directory (for the shard's primary) and writes only Redis,
     * so it needs neither the leader nor ZooKeeper, and the stream needs no forwarding.
     */
    @Override
    public void indexShard(IndexShardRequest request, StreamObserver<IndexShardProgress> responses) {
        ServerCallStreamObserver<IndexShardProgress> out = (ServerCallStreamObserver<IndexShardProgress>) responses;
        IndexShardStream stream = null;
        try {
            String id = shardId(request.getShardId());
            String globalTeam = globalTeam(request.getGlobalTeam());
            Shard shard = cache.view().shard(id).orElseThrow(() -> new CoordinatorException(
                    CoordinatorException.Reason.NOT_FOUND, "no shard '" + id + "'; see ListShards"));
            stream = new IndexShardStream(out, Context.current(), id, shard.getPrimary());
            log.info("indexing the objects of shard '{}' on {} (global team '{}')", id, shard.getPrimary(), globalTeam);
            ObjectIndexer.Progress result = nodes.indexObjects(shard.getPrimary(),
                    name -> StandardTeams.teamOf(name, globalTeam), stream);
            log.info("indexed shard '{}' in {} ms: {}", id, stream.elapsedMillis(), result);
            out.onCompleted();
        } catch (RuntimeException e) {
            if (stream != null && stream.cancelled()) {
                log.info("indexing shard '{}' stopped after {} ms: the caller cancelled or its deadline passed",
                        request.getShardId(), stream.elapsedMillis());
                return;
            }
            out.onError(Statuses.toStatus(e));
        }
    }

    private static String globalTeam(String requested) {
        if (requested.isEmpty()) {
            return StandardTeams.DEFAULT_GLOBAL_TEAM;
        }
        NameRules.team(requested).ifPresent(v -> {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "global team: " + v.message());
        });
        return requested;
    }

    private static final java.util.regex.Pattern SHARD_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private static String shardId(String id) {
        if (!SHARD_ID.matcher(id).matches()) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "shard id '" + id
                    + "' must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return id;
    }
}
