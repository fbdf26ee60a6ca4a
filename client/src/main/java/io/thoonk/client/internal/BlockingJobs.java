package io.thoonk.client.internal;

import io.thoonk.client.AsyncJobs;
import io.thoonk.client.Job;
import io.thoonk.client.JobState;
import io.thoonk.client.Jobs;
import io.thoonk.client.Priority;
import io.thoonk.client.Published;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

final class BlockingJobs extends BlockingSupport<AsyncJobsImpl> implements Jobs {

    BlockingJobs(AsyncJobsImpl async) {
        super(async);
    }

    @Override
    public AsyncJobs async() {
        return async;
    }

    @Override
    public Jobs withDurability(io.thoonk.client.Durability durability) {
        return new BlockingJobs(new AsyncJobsImpl(async.thoonk, async.name, durability));
    }

    @Override
    public Published put(String payload) {
        return await(async.put(payload));
    }

    @Override
    public Published put(String payload, Priority priority) {
        return await(async.put(payload, priority));
    }

    @Override
    public Published put(String payload, String id, Priority priority) {
        return await(async.put(payload, id, priority));
    }

    @Override
    public Optional<Job> get(Duration timeout) {
        return awaitTake(async.get(timeout), timeout);
    }

    @Override
    public void finish(String id) {
        await(async.finish(id));
    }

    @Override
    public void finish(String id, String result) {
        await(async.finish(id, result));
    }

    @Override
    public void cancel(String id) {
        await(async.cancel(id));
    }

    @Override
    public void release(String id) {
        await(async.release(id));
    }

    @Override
    public void touch(String id) {
        await(async.touch(id));
    }

    @Override
    public void stall(String id) {
        await(async.stall(id));
    }

    @Override
    public void retry(String id) {
        await(async.retry(id));
    }

    @Override
    public boolean retract(String id) {
        return await(async.retract(id));
    }

    @Override
    public int sweep() {
        return await(async.sweep());
    }

    @Override
    public JobState state(String id) {
        return await(async.state(id));
    }

    @Override
    public long failures(String id) {
        return await(async.failures(id));
    }

    @Override
    public List<String> list(JobState state) {
        return await(async.list(state));
    }

    @Override
    public Optional<String> result(String id) {
        return await(async.result(id));
    }

    @Override
    public Optional<String> awaitResult(String id, Duration timeout) {
        if (async.thoonk.onPubSubThread()) {
            return pollResult(id, timeout);
        }
        return await(async.awaitResult(id, timeout), timeout);
    }

    /**
     * {@link #awaitResult} inside a listener: the finish event would be read by a pub/sub thread,
     * perhaps the one this call holds, so the kept result is polled instead (backing off from 5 ms
     * to 100 ms between reads).
     */
    private Optional<String> pollResult(String id, Duration timeout) {
        java.util.Objects.requireNonNull(timeout, "timeout == null");
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = TimeUnit.MILLISECONDS.toNanos(5);
        while (true) {
            Optional<String> result = result(id);
            long left = deadline - System.nanoTime();
            if (result.isPresent() || left <= 0) {
                return result;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            pause = Math.min(2 * pause, TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
