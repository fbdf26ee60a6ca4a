package io.thoonk.coordinator.grpc;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.cluster.Leadership;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs a directory write where it belongs: here when this coordinator leads, otherwise forwarded
 * to the leader (with a deadline, over one cached channel per leader address), after which this
 * coordinator's cache catches up so the caller reads its own write here. A coordinator without its
 * ZooKeeper session refuses writes. Shared by the services of one coordinator, which closes it.
 */
public final class Writes implements AutoCloseable {

    private static final long FORWARD_DEADLINE_MS = 10_000;

    /** Brings this coordinator's cache up to the directory's current revision. */
    public interface CatchUp {
        void run() throws Exception;
    }

    private final Leadership leadership;
    private final BooleanSupplier zkConnected;
    private final CatchUp catchUp;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Writes(Leadership leadership, BooleanSupplier zkConnected, CatchUp catchUp) {
        this.leadership = leadership;
        this.zkConnected = zkConnected;
        this.catchUp = catchUp;
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
                result = forward.apply(leaderChannel());
                // read-your-writes on the coordinator the caller talks to
                catchUp.run();
            }
            out.onNext(result);
            out.onCompleted();
        } catch (Exception e) {
            out.onError(Statuses.toStatus(e));
        }
    }

    /**
     * A streaming call that belongs to the leader: run here when this coordinator leads
     * ({@code onLeader} answers {@code out} itself), otherwise relayed from the leader
     * ({@code forward} opens the call there, in the caller's gRPC context, so the caller's deadline
     * and cancellation carry over). Refused like a write without a ZooKeeper session.
     */
    <T> void stream(StreamObserver<T> out, StreamingCall<T> onLeader,
                    java.util.function.BiConsumer<ManagedChannel, StreamObserver<T>> forward) {
        try {
            if (!zkConnected.getAsBoolean()) {
                throw Status.UNAVAILABLE.withDescription("this coordinator has lost its ZooKeeper session and "
                        + "refuses writes until it is back; retry or use another coordinator").asRuntimeException();
            }
            if (leadership.isLeader()) {
                onLeader.run(out);
            } else {
                forward.accept(leaderChannel(), out);
            }
        } catch (Exception e) {
            out.onError(Statuses.toStatus(e));
        }
    }

    /** A streaming call run on the leader, answering its observer. */
    interface StreamingCall<T> {
        void run(StreamObserver<T> out) throws Exception;
    }

    private ManagedChannel leaderChannel() {
        String address = leadership.leaderAddress().orElseThrow(() -> new CoordinatorException(
                CoordinatorException.Reason.UNAVAILABLE,
                "no coordinator is leader right now (election in progress or ZooKeeper unreachable); retry shortly"));
        if (closed) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "this coordinator is shutting down; use another one");
        }
        return channels.computeIfAbsent(address, a ->
                Grpc.newChannelBuilder(a, InsecureChannelCredentials.create()).build());
    }

    static long deadlineMillis() {
        return FORWARD_DEADLINE_MS;
    }

    static TimeUnit unit() {
        return TimeUnit.MILLISECONDS;
    }

    /** Closes the channels to leaders; idempotent. */
    @Override
    public void close() {
        closed = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
