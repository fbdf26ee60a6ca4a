package io.thoonk.coordinator.grpc;

import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.placement.Placer;
import io.thoonk.coordinator.placement.ShardRegistry;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.AddShardRequest;
import io.thoonk.proto.v1.AddShardResponse;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CoordinatorInfo;
import io.thoonk.proto.v1.GetTeamRequest;
import io.thoonk.proto.v1.GetTeamResponse;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.PlaceTeamResponse;
import io.thoonk.proto.v1.RemoveShardRequest;
import io.thoonk.proto.v1.RemoveShardResponse;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;

import java.util.List;
import java.util.function.Supplier;

/** {@code thoonk.v1.Admin}: writes go to the leader; reads come from the cache. */
public final class AdminService extends AdminGrpc.AdminImplBase {

    private final DirectoryCache cache;
    private final Placer placer;
    private final ShardRegistry shards;
    private final Leadership leadership;
    private final Writes writes;
    private final Supplier<List<CoordinatorInfo>> coordinators;

    public AdminService(DirectoryCache cache, Placer placer, ShardRegistry shards, Leadership leadership,
                        Writes writes, Supplier<List<CoordinatorInfo>> coordinators) {
        this.cache = cache;
        this.placer = placer;
        this.shards = shards;
        this.leadership = leadership;
        this.writes = writes;
        this.coordinators = coordinators;
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
            if (request.getWeight() < 0) {
                throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT, "weight must be >= 0");
            }
            return AddShardResponse.newBuilder().setShard(shards.add(id, primary, request.getReplicasList(),
                    request.getWeight())).build();
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
                .setDirectoryRevision(view.revision()).build());
        out.onCompleted();
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
