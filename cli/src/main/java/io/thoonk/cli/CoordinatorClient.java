package io.thoonk.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.proto.ConnectionFailures;
import io.thoonk.proto.CoordinatorChannels;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Calls the coordinator API on any of a list of coordinators, through one
 * {@link CoordinatorChannels} channel: grpc-java sends each call to a coordinator that is up and
 * retries it (on another one, if there is one) when it finds a coordinator UNAVAILABLE (down,
 * unreachable, shutting down). Any other status is the answer; when no coordinator answers, the
 * UNAVAILABLE status says which were tried. The channel connects on first use and is closed by
 * {@link #close()}.
 */
final class CoordinatorClient implements AutoCloseable {

    /** Deadline of one call, its retries included. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final List<String> addresses;
    private final String whereFrom;
    private final ManagedChannel channel;

    /** A client of {@code addresses}, which the caller chose itself. */
    CoordinatorClient(List<String> addresses) {
        this(addresses, "");
    }

    /** A client of {@code target}'s coordinators; failures say what chose them, unless a flag did. */
    CoordinatorClient(Target target) {
        this(target.coordinators(), target.whereFrom());
    }

    private CoordinatorClient(List<String> addresses, String whereFrom) {
        this.addresses = List.copyOf(addresses);
        this.whereFrom = whereFrom;
        this.channel = CoordinatorChannels.open(this.addresses);
    }

    /** Calls the Admin service. */
    <T> T admin(Function<AdminGrpc.AdminBlockingStub, T> call) {
        return call(() -> call.apply(AdminGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /**
     * Makes a server-streaming Admin call and hands its messages to {@code each} in order, until the
     * stream ends; the whole stream has {@code deadline}. Like other calls it goes to the first
     * coordinator that answers, but only until its first message (or error): a stream that breaks
     * later is that error.
     */
    <T> void adminStream(Function<AdminGrpc.AdminBlockingStub, Iterator<T>> call, Duration deadline,
                         Consumer<T> each) {
        Iterator<T> messages = call(() -> {
            Iterator<T> stream = call.apply(AdminGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
            stream.hasNext(); // waits for the first message or the call's status
            return stream;
        });
        messages.forEachRemaining(each);
    }

    /** Calls the Directory service. */
    <T> T directory(Function<DirectoryGrpc.DirectoryBlockingStub, T> call) {
        return call(() -> call.apply(DirectoryGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    /**
     * Makes a call; a failure to reach any coordinator becomes {@code UNAVAILABLE} saying which were
     * tried and why in plain words, and an address that is not a coordinator at all (a Redis port, a
     * web server) a {@link ThoonkConnectionException} saying so.
     */
    private <T> T call(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            if (ConnectionFailures.notGrpc(status)) {
                throw new ThoonkConnectionException(ConnectionFailures.notACoordinator(addresses) + whereFrom, e);
            }
            if (status.getCode() != Status.Code.UNAVAILABLE && !timedOutHere(status)) {
                throw e;
            }
            String tried = String.join(", ", addresses);
            String why = status.getCode() == Status.Code.UNAVAILABLE ? ConnectionFailures.reason(status)
                    : "no answer within " + Durations.format(CALL_TIMEOUT);
            throw status.withDescription((addresses.size() == 1 ? "no coordinator answered at " + tried
                            : "none of the coordinators " + tried + " answered") + " (" + why + ")" + whereFrom)
                    .withCause(null).asRuntimeException();
        }
    }

    /** Whether the call's own deadline passed (not a coordinator answering DEADLINE_EXCEEDED). */
    private static boolean timedOutHere(Status status) {
        String description = String.valueOf(status.getDescription());
        return status.getCode() == Status.Code.DEADLINE_EXCEEDED && (description.startsWith("deadline exceeded after")
                || description.startsWith("ClientCall started after") || description.contains("CallOptions deadline"));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
