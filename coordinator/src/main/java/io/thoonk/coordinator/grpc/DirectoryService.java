package io.thoonk.coordinator.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryException;
import io.thoonk.coordinator.directory.DirectoryWriter;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ReloadRequired;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** {@code thoonk.v1.Directory}: answered from the cache; first resolves are placed by the leader. */
public final class DirectoryService extends DirectoryGrpc.DirectoryImplBase {

    private final DirectoryCache cache;
    private final DirectoryWriter writer;
    private final Writes writes;

    public DirectoryService(DirectoryCache cache, DirectoryWriter writer, Leadership leadership,
                            BooleanSupplier zkConnected, Writes.CatchUp catchUp) {
        this.cache = cache;
        this.writer = writer;
        this.writes = new Writes(leadership, zkConnected, catchUp);
    }

    @Override
    public void resolve(ResolveRequest request, StreamObserver<ResolveResponse> out) {
        String team;
        try {
            team = TeamNames.valid(request.getTeam());
        } catch (RuntimeException e) {
            out.onError(Statuses.toStatus(e));
            return;
        }
        Optional<TeamPlacement> known = cache.team(team);
        if (known.isPresent()) {
            out.onNext(answer(known.get()));
            out.onCompleted();
            return;
        }
        writes.run(out, () -> answer(writer.placeNew(team)), channel -> DirectoryGrpc.newBlockingStub(channel)
                .withDeadlineAfter(Writes.deadlineMillis(), Writes.unit()).resolve(request));
    }

    private ResolveResponse answer(TeamPlacement placement) {
        ResolveResponse.Builder b = ResolveResponse.newBuilder().setPlacement(placement)
                .setDirectoryRevision(cache.revision());
        cache.shard(placement.getShardId()).ifPresent(s -> b.setShard(s.toBuilder()
                .setTeamCount(cache.teamCount(s.getId()))));
        return b.build();
    }

    @Override
    public void listShards(ListShardsRequest request, StreamObserver<ListShardsResponse> out) {
        out.onNext(ListShardsResponse.newBuilder().addAllShards(cache.shards())
                .setDirectoryRevision(cache.revision()).build());
        out.onCompleted();
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchResponse> responses) {
        if (request.getFromRevision() < 0) {
            responses.onError(Statuses.toStatus(new DirectoryException(DirectoryException.Reason.INVALID_ARGUMENT,
                    "from_revision must be >= 0 (0 = from now)")));
            return;
        }
        ServerCallStreamObserver<WatchResponse> out = (ServerCallStreamObserver<WatchResponse>) responses;
        WatchStream stream = new WatchStream(out);
        DirectoryCache.WatchStart start = cache.watch(request.getFromRevision(), stream);
        if (start.reloadRequired()) {
            out.onNext(WatchResponse.newBuilder().setReload(ReloadRequired.newBuilder()
                    .setOldestAvailableRevision(start.oldestAvailable())
                    .setCurrentRevision(start.currentRevision())).build());
            out.onCompleted();
            return;
        }
        out.setOnCancelHandler(() -> cache.unwatch(stream));
        stream.begin(start.backlog());
    }

    /**
     * One Watch stream: changes that arrive while the backlog is being sent wait in a list, so the
     * client sees each revision once, in order.
     */
    private final class WatchStream implements DirectoryCache.Listener {
        private final ServerCallStreamObserver<WatchResponse> out;
        private List<DirectoryChange> pending = new ArrayList<>();
        private boolean open = true;

        WatchStream(ServerCallStreamObserver<WatchResponse> out) {
            this.out = out;
        }

        synchronized void begin(List<DirectoryChange> backlog) {
            long last = 0;
            for (DirectoryChange c : backlog) {
                send(c);
                last = c.getRevision();
            }
            for (DirectoryChange c : pending) {
                if (c.getRevision() > last) {
                    send(c);
                }
            }
            pending = null;
        }

        @Override
        public synchronized void onChange(DirectoryChange change) {
            if (pending != null) {
                pending.add(change);
            } else {
                send(change);
            }
        }

        @Override
        public synchronized void onReload(long currentRevision) {
            if (open) {
                out.onNext(WatchResponse.newBuilder().setReload(ReloadRequired.newBuilder()
                        .setCurrentRevision(currentRevision)).build());
                out.onCompleted();
                open = false;
                cache.unwatch(this);
            }
        }

        private void send(DirectoryChange change) {
            if (!open || out.isCancelled()) {
                return;
            }
            try {
                out.onNext(WatchResponse.newBuilder().setChange(change).build());
            } catch (RuntimeException closed) {
                open = false;
                cache.unwatch(this);
            }
        }
    }
}
