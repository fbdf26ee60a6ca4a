package io.thoonk.it;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.CancelMoveResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code Admin.MoveTeam} call as a test watches it: every progress message in arrival order,
 * waits for a phase (to act on the move while it is there) and for the end of the stream. The
 * stream only watches the move: a caller that stops reading leaves it running.
 */
final class MoveCall {

    static final Duration WAIT = Duration.ofSeconds(30);

    /** The end of the stream: its error, or null when it completed. */
    private record End(Throwable error) {
    }

    private final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    private final List<MoveProgress> seen = new ArrayList<>();
    private final Channel channel;
    private final String team;
    private End end;

    private MoveCall(Channel channel, String team) {
        this.channel = channel;
        this.team = team;
    }

    /** Starts moving {@code team} to {@code target} through the coordinator behind {@code channel}. */
    static MoveCall start(Channel channel, String team, String target) {
        MoveCall call = new MoveCall(channel, team);
        AdminGrpc.newStub(channel).withDeadlineAfter(2 * WAIT.toSeconds(), TimeUnit.SECONDS).moveTeam(
                MoveTeamRequest.newBuilder().setTeam(team).setTargetShardId(target).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(MoveProgress value) {
                        call.messages.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        call.messages.add(new End(t));
                    }

                    @Override
                    public void onCompleted() {
                        call.messages.add(new End(null));
                    }
                });
        return call;
    }

    /** Waits for the first message in {@code phase}; fails when the stream ends before. */
    MoveProgress await(MovePhase phase) throws InterruptedException {
        return await(p -> p.getPhase() == phase, "a message in phase " + phase);
    }

    /** Waits for the first message (after those already consumed) that {@code wanted} accepts. */
    MoveProgress await(Predicate<MoveProgress> wanted, String what) throws InterruptedException {
        while (true) {
            Object m = next();
            if (m instanceof End e) {
                end = e;
                throw new AssertionError("the MoveTeam stream of team '" + team + "' ended before " + what
                        + "; messages: " + phases(), e.error());
            }
            MoveProgress p = (MoveProgress) m;
            seen.add(p);
            if (wanted.test(p)) {
                return p;
            }
        }
    }

    /** Reads the stream to its end and returns the last message; fails when the stream ends with an error. */
    MoveProgress finish() throws InterruptedException {
        while (end == null) {
            Object m = next();
            if (m instanceof End e) {
                end = e;
            } else {
                seen.add((MoveProgress) m);
            }
        }
        if (end.error() != null) {
            throw new AssertionError("the MoveTeam stream of team '" + team + "' failed; messages: " + phases(),
                    end.error());
        }
        return seen.get(seen.size() - 1);
    }

    /** Reads the stream to its end, whatever it ends with (a leader that stops ends it with an error). */
    void awaitEnd() throws InterruptedException {
        while (end == null) {
            Object m = next();
            if (m instanceof End e) {
                end = e;
            } else {
                seen.add((MoveProgress) m);
            }
        }
    }

    /** The phases of the messages consumed so far, for assertion messages. */
    List<MovePhase> phases() {
        return seen.stream().map(MoveProgress::getPhase).toList();
    }

    /** Asks for the move to be cancelled; the answer comes once the rollback is done. */
    com.google.common.util.concurrent.ListenableFuture<CancelMoveResponse> cancel() {
        return AdminGrpc.newFutureStub(channel).withDeadlineAfter(WAIT.toSeconds(), TimeUnit.SECONDS)
                .cancelMove(CancelMoveRequest.newBuilder().setTeam(team).build());
    }

    private Object next() throws InterruptedException {
        Object m = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message of the MoveTeam stream of team '" + team + "' within " + WAIT
                    + "; messages so far: " + phases());
        }
        return m;
    }
}
