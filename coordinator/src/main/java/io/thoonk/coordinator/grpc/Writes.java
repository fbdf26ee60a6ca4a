package io.thoonk.coordinator.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.cluster.Leadership;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs a directory write where it belongs: here when this coordinator leads, otherwise forwarded
 * to the leader (with a deadline). A coordinator without its ZooKeeper session refuses writes.
 */
final class Writes {

    private static final long FORWARD_DEADLINE_MS = 10_000;

    private final Leadership leadership;
    private final BooleanSupplier zkConnected;

    Writes(Leadership leadership, BooleanSupplier zkConnected) {
        this.leadership = leadership;
        this.zkConnected = zkConnected;
    }

    <T> void run(StreamObserver<T> out, Callable<T> onLeader, Function<ManagedChannel, T> forward) {
        try {
            T result;
            if (!zkConnected.getAsBoolean()) {
                throw Status.UNAVAILABLE.withDescription("this coordinator has lost its ZooKeeper session and "
                        + "refuses writes until it is back; retry or use another coordinator").asRuntimeException();
            }
            if (leadership.isLeader()) {
                result = onLeader.call();
            } else {
                result = forward.apply(leadership.leaderChannel());
            }
            out.onNext(result);
            out.onCompleted();
        } catch (Exception e) {
            out.onError(Statuses.toStatus(e));
        }
    }

    static long deadlineMillis() {
        return FORWARD_DEADLINE_MS;
    }

    static TimeUnit unit() {
        return TimeUnit.MILLISECONDS;
    }
}
