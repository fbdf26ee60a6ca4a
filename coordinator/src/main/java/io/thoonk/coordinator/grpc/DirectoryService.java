package io.thoonk.coordinator.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;
import io.thoonk.coordinator.directory.DirectoryCache;
import io.thoonk.coordinator.directory.DirectoryView;
import io.thoonk.coordinator.placement.Placer;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.Progress;
import io.thoonk.proto.v1.ReloadRequired;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code thoonk.v1.Directory}: answered from the cache; first resolves are placed by the leader.
 * Watch streams that ask for it also carry a {@link Progress} message at their interval, so their
 * client can tell a quiet directory from a coordinator that stopped answering.
 */
public final class DirectoryService extends DirectoryGrpc.DirectoryImplBase {

    static final long MIN_PROGRESS_MILLIS = 100;
    static final long MAX_PROGRESS_MILLIS = 60_000;

    private final DirectoryCache cache;
    private final Placer placer;
    private final Writes writes;
    private final ScheduledExecutorService scheduler;

    /** @param scheduler sends the Watch streams' progress messages */
    public DirectoryService(DirectoryCache cache, Placer placer, Writes writes, ScheduledExecutorService scheduler) {
        this.cache = cache;
        this.placer = placer;
        this.writes = writes;
        this.scheduler = scheduler;
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
        DirectoryView view = cache.view();
        Optional<TeamPlacement> known = view.team(team);
        if (known.isPresent()) {
            out.onNext(answer(view, known.get()));
            out.onCompleted();
            return;
        }
        writes.run(out, () -> {
            TeamPlacement placed = placer.placeNew(team);
            return answer(cache.view(), placed); // the view once it holds the placement
        }, channel -> DirectoryGrpc.newBlockingStub(channel).withDeadlineAfter(Writes.deadlineMillis(), Writes.unit())
                .resolve(request));
    }

    /** The answer from one view, so the shard and revision are those of the same directory state. */
    private static ResolveResponse answer(DirectoryView view, TeamPlacement placement) {
        ResolveResponse.Builder b = ResolveResponse.newBuilder().setPlacement(placement)
                .setDirectoryRevision(view.revision());
        view.shard(placement.getShardId()).ifPresent(b::setShard);
        return b.build();
    }

    @Override
    public void listShards(ListShardsRequest request, StreamObserver<ListShardsResponse> out) {
        DirectoryView view = cache.view();
        out.onNext(ListShardsResponse.newBuilder().addAllShards(view.shards())
                .setDirectoryRevision(view.revision()).build());
        out.onCompleted();
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchResponse> responses) {
        if (request.getFromRevision() < 0) {
            responses.onError(Statuses.toStatus(new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT,
                    "from_revision must be >= 0 (0 = from now)")));
            return;
        }
        long progress = request.getProgressIntervalMillis();
        if (progress != 0 && (progress < MIN_PROGRESS_MILLIS || progress > MAX_PROGRESS_MILLIS)) {
            responses.onError(Statuses.toStatus(new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT,
                    "progress_interval_millis must be " + MIN_PROGRESS_MILLIS + ".." + MAX_PROGRESS_MILLIS
                            + " (0 = no progress messages), was " + progress)));
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
        out.setOnCancelHandler(stream::close);
        stream.begin(start.backlog(), start.currentRevision());
        if (progress > 0) {
            stream.reportProgressEvery(progress);
        }
    }

    /**
     * One Watch stream: changes that arrive while the backlog is being sent wait in a list, so the
     * client sees each revision once, in order.
     */
    private final class WatchStream implements DirectoryCache.Listener {
        private final ServerCallStreamObserver<WatchResponse> out;
        private List<DirectoryChange> pending = new ArrayList<>();
        private boolean open = true;
        private long lastSent;
        private ScheduledFuture<?> progress;

        WatchStream(ServerCallStreamObserver<WatchResponse> out) {
            this.out = out;
        }

        synchronized void begin(List<DirectoryChange> backlog, long current) {
            long last = 0;
            for (DirectoryChange c : backlog) {
                send(c);
                last = c.getRevision();
            }
            lastSent = Math.max(last, current); // the backlog ends at the revision current at registration
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
                close();
            }
        }

        synchronized void reportProgressEvery(long millis) {
            if (!open) {
                return;
            }
            try {
                progress = scheduler.scheduleAtFixedRate(this::sendProgress, millis, millis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                close();
            }
        }

        /** Every change up to {@code lastSent} went out: say so (changes still pending come later, in order). */
        private synchronized void sendProgress() {
            if (pending == null) {
                write(WatchResponse.newBuilder().setProgress(Progress.newBuilder().setRevision(lastSent)).build());
            }
        }

        synchronized void close() {
            open = false;
            if (progress != null) {
                progress.cancel(false);
            }
            cache.unwatch(this);
        }

        private void send(DirectoryChange change) {
            if (write(WatchResponse.newBuilder().setChange(change).build())) {
                lastSent = change.getRevision();
            }
        }

        private boolean write(WatchResponse response) {
            if (!open || out.isCancelled()) {
                return false;
            }
            try {
                out.onNext(response);
                return true;
            } catch (RuntimeException closed) {
                close();
                return false;
            }
        }
    }
}
