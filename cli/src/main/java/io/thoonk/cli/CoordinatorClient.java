package io.thoonk.cli;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.DirectoryGrpc;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Calls the coordinator API on the first of a list of coordinators that answers: a call that finds
 * a coordinator UNAVAILABLE (down, unreachable, shutting down) is made again on the next one, and
 * the one that answered is asked first next time. Any other status is the answer. Channels are
 * opened on first use and closed by {@link #close()}.
 */
final class CoordinatorClient implements AutoCloseable {

    /** Deadline of one call on one coordinator. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final List<String> addresses;
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private int preferred;

    CoordinatorClient(List<String> addresses) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no coordinator addresses");
        }
        this.addresses = List.copyOf(addresses);
    }

    /** Calls the Admin service. */
    <T> T admin(Function<AdminGrpc.AdminBlockingStub, T> call) {
        return call(channel -> call.apply(AdminGrpc.newBlockingStub(channel)
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
        Iterator<T> messages = call(channel -> {
            Iterator<T> stream = call.apply(AdminGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
            stream.hasNext(); // waits for the first message or the call's status
            return stream;
        });
        messages.forEachRemaining(each);
    }

    /** Calls the Directory service. */
    <T> T directory(Function<DirectoryGrpc.DirectoryBlockingStub, T> call) {
        return call(channel -> call.apply(DirectoryGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
    }

    private synchronized <T> T call(Function<ManagedChannel, T> call) {
        StatusRuntimeException last = null;
        for (int i = 0; i < addresses.size(); i++) {
            int index = (preferred + i) % addresses.size();
            try {
                T answer = call.apply(channel(addresses.get(index)));
                preferred = index;
                return answer;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                    throw e;
                }
                last = e;
            }
        }
        String tried = String.join(", ", addresses);
        throw Status.UNAVAILABLE.withDescription((addresses.size() == 1 ? "no coordinator answered at " + tried
                        : "none of the coordinators " + tried + " answered") + " (" + describe(last) + ")")
                .asRuntimeException();
    }

    private ManagedChannel channel(String address) {
        return channels.computeIfAbsent(address, a -> Grpc.newChannelBuilder(a, InsecureChannelCredentials.create())
                .build());
    }

    private static String describe(StatusRuntimeException e) {
        Status status = e.getStatus();
        String description = status.getDescription() != null ? status.getDescription() : "unavailable";
        return status.getCause() != null ? description + ": " + status.getCause().getMessage() : description;
    }

    @Override
    public synchronized void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel channel : channels.values()) {
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
