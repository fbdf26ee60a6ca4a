package io.thoonk.coordinator.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.thoonk.contract.ObjectIndexer;
import io.thoonk.proto.v1.IndexShardProgress;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The progress reports of one {@code IndexShard} call, as they reach the caller: a message when a
 * page changed the counts, otherwise at most one a second (so a long scan that finds nothing still
 * shows it is alive), and always the last one. The indexer reports after every page on the call's
 * thread; when the caller has cancelled (or its deadline passed), the next report throws CANCELLED,
 * which stops the run between pages.
 *
 * <p>Cancellation is read from the call's {@link Context}, which gRPC cancels as soon as the caller
 * cancels or its deadline passes, whatever the call's thread is doing, and from the stream.
 */
final class IndexShardStream implements Consumer<ObjectIndexer.Progress> {

    static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ServerCallStreamObserver<IndexShardProgress> out;
    private final Context call;
    private final String shardId;
    private final String primary;
    private final long started = System.nanoTime();
    private ObjectIndexer.Progress lastSent;
    private long lastSentAt;

    IndexShardStream(ServerCallStreamObserver<IndexShardProgress> out, Context call, String shardId, String primary) {
        this.out = out;
        this.call = call;
        this.shardId = shardId;
        this.primary = primary;
    }

    @Override
    public void accept(ObjectIndexer.Progress progress) {
        if (cancelled()) {
            throw Status.CANCELLED.withDescription("the caller cancelled indexing shard '" + shardId + "'")
                    .asRuntimeException();
        }
        long now = System.nanoTime();
        if (progress.done() || lastSent == null || !sameCounts(progress, lastSent)
                || now - lastSentAt >= HEARTBEAT_NANOS) {
            out.onNext(IndexShardProgress.newBuilder().setShardId(shardId).setPrimary(primary)
                    .setScanned(progress.scanned()).setIndexed(progress.indexed()).setSkipped(progress.skipped())
                    .setPruned(progress.pruned()).setDone(progress.done())
                    .setElapsedMillis(elapsedMillis()).build());
            lastSent = progress;
            lastSentAt = now;
        }
    }

    boolean cancelled() {
        return call.isCancelled() || out.isCancelled();
    }

    long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    private static boolean sameCounts(ObjectIndexer.Progress a, ObjectIndexer.Progress b) {
        return a.scanned() == b.scanned() && a.indexed() == b.indexed() && a.skipped() == b.skipped()
                && a.pruned() == b.pruned();
    }
}
