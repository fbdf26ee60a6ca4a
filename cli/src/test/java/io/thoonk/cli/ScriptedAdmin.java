package io.thoonk.cli;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.ListMovesRequest;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A test double of our own Admin API for the CLI's rendering tests only (the coordinators' move
 * engine is tested in its own module): a real gRPC server on a free port whose move, drain and
 * rebalance calls answer scripted progress messages, or a scripted failure, and record the requests.
 * A stream left {@link #open} sends its messages and then stays open, as a long move does, so that
 * a test can stop the CLI meanwhile.
 */
final class ScriptedAdmin implements AutoCloseable {

    final List<Object> requests = new CopyOnWriteArrayList<>();
    volatile List<MoveProgress> moveScript = List.of();
    volatile List<DrainProgress> drainScript = List.of();
    volatile List<RebalanceProgress> rebalanceScript = List.of();
    volatile RebalanceProgress dryRunPlan = RebalanceProgress.getDefaultInstance();
    volatile ListMovesResponse moves = ListMovesResponse.getDefaultInstance();
    volatile Status failure;
    volatile boolean open;
    private final Server server;

    ScriptedAdmin() {
        try {
            server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(new Service())
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** The requests of one type, in order. */
    <T> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static MoveProgress move(String team, MovePhase phase, long copied, long total) {
        return MoveProgress.newBuilder().setMoveId("m-" + team).setTeam(team).setSourceShardId("s1")
                .setTargetShardId("s2").setPhase(phase).setObjectsCopied(copied).setObjectsTotal(total)
                .setBytesCopied(copied * 2048).setElapsedMillis(copied * 10).setEtaMillis(phase == MovePhase.MOVE_DONE
                        ? 0 : (total - copied) * 10).setWritePauseMillis(phase == MovePhase.MOVE_DONE ? 42 : 0)
                .setEpoch(phase == MovePhase.MOVE_DONE ? 3 : 0).setStartedAtMillis(1_700_000_000_000L).build();
    }

    private final class Service extends AdminGrpc.AdminImplBase {
        @Override
        public void moveTeam(MoveTeamRequest request, StreamObserver<MoveProgress> out) {
            stream(request, moveScript, out);
        }

        @Override
        public void drainShard(DrainShardRequest request, StreamObserver<DrainProgress> out) {
            stream(request, drainScript, out);
        }

        @Override
        public void rebalance(RebalanceRequest request, StreamObserver<RebalanceProgress> out) {
            stream(request, request.getDryRun() ? List.of(dryRunPlan) : rebalanceScript, out);
        }

        @Override
        public void cancelMove(CancelMoveRequest request, StreamObserver<CancelMoveResponse> out) {
            requests.add(request);
            out.onNext(CancelMoveResponse.newBuilder().setProgress(move(request.getTeam(), MovePhase.MOVE_CANCELLED,
                    1, 10).toBuilder().setOutcome("cancelled by an operator")).build());
            out.onCompleted();
        }

        @Override
        public void listMoves(ListMovesRequest request, StreamObserver<ListMovesResponse> out) {
            requests.add(request);
            out.onNext(moves);
            out.onCompleted();
        }

        private <T> void stream(Object request, List<T> script, StreamObserver<T> out) {
            requests.add(request);
            if (failure != null) {
                out.onError(failure.asRuntimeException());
                return;
            }
            script.forEach(out::onNext);
            if (!open) {
                out.onCompleted();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
