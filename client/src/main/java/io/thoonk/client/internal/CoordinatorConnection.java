package io.thoonk.client.internal;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ThoonkConnectionException;
import io.thoonk.client.ThoonkException;
import io.thoonk.proto.ConnectionFailures;
import io.thoonk.proto.CoordinatorChannels;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ListShardsRequest;
import io.thoonk.proto.v1.ListShardsResponse;
import io.thoonk.proto.v1.ReloadRequired;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client's connection to the coordinators: one gRPC channel to all of them
 * ({@link CoordinatorChannels}: grpc-java picks a coordinator that is up and retries calls that
 * find one unavailable), the directory calls with their deadline, and one Watch stream kept open.
 *
 * <p>The Watch stream resumes after every break from the revision its {@link Follower} has applied,
 * on whichever coordinator answers. Breaks are retried with an exponential {@link Backoff} (from
 * {@link #WATCH_RETRY_MIN} up to {@link #WATCH_RETRY_MAX}, back to the start once a stream works
 * again) and logged: the first failure of a series and then at most one warning every
 * {@link #WATCH_WARN_INTERVAL}, and a note when it works again.
 *
 * <p>The coordinator sends a progress message every {@link #WATCH_PROGRESS} on a quiet stream; a
 * stream silent for {@link #WATCH_SILENCE} is taken for a coordinator that stopped answering (hung,
 * paused, or cut off without the connection closing, which TCP alone notices only after minutes):
 * it is cancelled and resumed on another coordinator, so a failover or move is not missed because
 * the coordinator the client happened to watch went quiet.
 */
final class CoordinatorConnection implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CoordinatorConnection.class);

    static final Duration WATCH_RETRY_MIN = Duration.ofMillis(250);
    static final Duration WATCH_RETRY_MAX = Duration.ofSeconds(5);
    static final Duration WATCH_WARN_INTERVAL = Duration.ofSeconds(30);
    static final Duration WATCH_PROGRESS = Duration.ofSeconds(1);
    static final Duration WATCH_SILENCE = WATCH_PROGRESS.multipliedBy(3);

    /** Applies what the Watch stream delivers, and says where to resume it. */
    interface Follower {
        /** The revision to watch from: one past the last one applied. */
        long nextRevision();

        /** A change, in revision order. Must not block. */
        void onChange(DirectoryChange change);

        /**
         * The coordinator no longer holds the changes from {@link #nextRevision()}: reload the state;
         * the stream resumes once the returned stage completes (or, if it fails, after a backoff).
         */
        CompletableFuture<Void> onReload(ReloadRequired reload);
    }

    private final List<String> addresses;
    private final ManagedChannel channel;
    private final Duration deadline;
    private final Executor callbacks;
    private final ScheduledExecutorService retries;
    private final Backoff backoff = new Backoff(WATCH_RETRY_MIN, WATCH_RETRY_MAX);
    private volatile boolean closed;
    private Follower follower;
    // watch retry state: touched by one stream's callbacks at a time
    private int failures;
    private long lastWarnNanos;
    private boolean warnedOnce;

    /**
     * @param addresses coordinators ({@code host:port})
     * @param deadline  of each unary call
     * @param callbacks where the futures of unary calls complete (never a gRPC thread)
     */
    CoordinatorConnection(List<String> addresses, Duration deadline, Executor callbacks) {
        try {
            this.channel = CoordinatorChannels.open(addresses);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
        this.addresses = List.copyOf(addresses);
        this.deadline = deadline;
        this.callbacks = callbacks;
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "thoonk-directory-watch");
            t.setDaemon(true);
            return t;
        });
    }

    List<String> addresses() {
        return addresses;
    }

    CompletableFuture<ListShardsResponse> listShards() {
        return call(stub -> stub.listShards(ListShardsRequest.getDefaultInstance()), "list the shards", "");
    }

    CompletableFuture<ResolveResponse> resolve(String team) {
        return call(stub -> stub.resolve(ResolveRequest.newBuilder().setTeam(team).build()),
                "resolve team '" + team + "'", "; teams already known keep working");
    }

    /**
     * Makes a directory call; {@code what} names it in failures, and {@code whileDown} says what
     * still works when no coordinator answers.
     */
    private <T> CompletableFuture<T> call(Function<DirectoryGrpc.DirectoryFutureStub, ListenableFuture<T>> rpc,
                                          String what, String whileDown) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new ThoonkConnectionException("the client is closed", null));
            return result;
        }
        ListenableFuture<T> call = rpc.apply(DirectoryGrpc.newFutureStub(channel)
                .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(T answer) {
                result.complete(answer);
            }

            @Override
            public void onFailure(Throwable error) {
                result.completeExceptionally(failure(what, whileDown, error));
            }
        }, callbacks);
        return result;
    }

    /** Why no coordinator answered, in a few words: the connection failure, or the call's own deadline. */
    private String why(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE -> ConnectionFailures.reason(status);
            case DEADLINE_EXCEEDED -> "no answer within " + deadline.toMillis() + " ms";
            default -> status.getCode() + ": " + ConnectionFailures.reason(status);
        };
    }

    /**
     * A failed call as the client's exception: unreachable coordinators (with why, in plain words),
     * addresses that are not coordinators at all (e.g. a Redis port), or a refusal.
     */
    private ThoonkException failure(String what, String whileDown, Throwable error) {
        Status status = Status.fromThrowable(error);
        if (ConnectionFailures.notGrpc(status)) {
            return new ThoonkConnectionException("cannot " + what + ": "
                    + ConnectionFailures.notACoordinator(addresses), error);
        }
        return switch (status.getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED -> new ThoonkConnectionException("cannot " + what
                    + ": no coordinator answered at " + String.join(", ", addresses) + " ("
                    + why(status) + ")" + whileDown, error);
            default -> new ThoonkException("the coordinator refused to " + what + ": " + status.getCode() + ": "
                    + status.getDescription(), error);
        };
    }

    /** Starts following the directory with one Watch stream; call once. */
    synchronized void follow(Follower follower) {
        if (this.follower != null) {
            throw new IllegalStateException("already following");
        }
        this.follower = follower;
        watch();
    }

    private void watch() {
        if (closed) {
            return;
        }
        long started = System.nanoTime();
        WatchRequest request = WatchRequest.newBuilder().setFromRevision(follower.nextRevision())
                .setProgressIntervalMillis(WATCH_PROGRESS.toMillis()).build();
        DirectoryGrpc.newStub(channel).watch(request, new ClientResponseObserver<WatchRequest, WatchResponse>() {
            private ReloadRequired reload;
            private volatile long lastHeard = System.nanoTime();
            private volatile boolean ended;

            @Override
            public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
                scheduleSilenceCheck(call);
            }

            /** Cancels the stream when nothing came for {@link #WATCH_SILENCE}; checks again until it ends. */
            private void scheduleSilenceCheck(ClientCallStreamObserver<WatchRequest> call) {
                try {
                    retries.schedule(() -> {
                        if (ended || closed) {
                            return;
                        }
                        if (System.nanoTime() - lastHeard >= WATCH_SILENCE.toNanos()) {
                            call.cancel("the coordinator sent nothing for " + WATCH_SILENCE.toMillis() + " ms", null);
                        } else {
                            scheduleSilenceCheck(call);
                        }
                    }, WATCH_PROGRESS.toNanos(), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closed meanwhile
                }
            }

            @Override
            public void onNext(WatchResponse response) {
                lastHeard = System.nanoTime();
                worked();
                if (response.hasChange()) {
                    try {
                        follower.onChange(response.getChange());
                    } catch (RuntimeException e) {
                        log.warn("applying directory change {} failed", response.getChange().getRevision(), e);
                    }
                } else if (response.hasReload()) {
                    reload = response.getReload();
                }
            }

            @Override
            public void onError(Throwable error) {
                ended = true;
                ended(reload, error, started);
            }

            @Override
            public void onCompleted() {
                ended = true;
                ended(reload, null, started);
            }
        });
    }

    /** The stream ended: reload if told to, else watch again after a backoff. */
    private void ended(ReloadRequired reload, Throwable error, long started) {
        if (closed) {
            return;
        }
        if (reload != null) {
            log.info("directory watch must reload: the coordinator keeps changes from revision {} (now {}), "
                    + "this client applied up to {}", reload.getOldestAvailableRevision(),
                    reload.getCurrentRevision(), follower.nextRevision() - 1);
            CompletableFuture<Void> reloaded;
            try {
                reloaded = follower.onReload(reload);
            } catch (RuntimeException e) {
                reloaded = CompletableFuture.failedFuture(e);
            }
            reloaded.whenComplete((ok, e) -> {
                if (e == null) {
                    watch();
                } else {
                    retry("reloading the directory failed: " + Await.unwrap(e), started);
                }
            });
            return;
        }
        retry(error == null ? "the coordinator ended the stream"
                : Status.fromThrowable(error).getCode() + ": " + Status.fromThrowable(error).getDescription(), started);
    }

    private synchronized void worked() {
        if (failures > 0) {
            log.info("directory watch works again after {} failed attempt(s)", failures);
        }
        failures = 0;
        warnedOnce = false;
        backoff.reset();
    }

    private synchronized void retry(String why, long started) {
        if (closed) {
            return;
        }
        if (System.nanoTime() - started > backoff.max().toNanos()) {
            backoff.reset(); // the stream had been up for a while: a new break, not a series
        }
        Duration delay = backoff.next();
        failures++;
        long now = System.nanoTime();
        if (!warnedOnce || now - lastWarnNanos >= WATCH_WARN_INTERVAL.toNanos()) {
            log.warn("directory watch on coordinators {} failed ({}); {} failed attempt(s) in a row, next in {} ms "
                    + "(cached teams keep working; moves and failovers are learned once it works)",
                    addresses, why, failures, delay.toMillis());
            lastWarnNanos = now;
            warnedOnce = true;
        } else {
            log.debug("directory watch failed again ({}); attempt {} in {} ms", why, failures + 1, delay.toMillis());
        }
        try {
            retries.schedule(() -> {
                // gRPC waits up to minutes between reconnects to coordinators that were down; the
                // watch's own backoff is shorter, so a coordinator back up is found within it
                channel.resetConnectBackoff();
                watch();
            }, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        channel.shutdownNow();
        try {
            channel.awaitTermination(ShardConnection.CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
