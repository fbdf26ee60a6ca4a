package io.thoonk.client.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, never two at once.
 *
 * <p>On a shared executor ({@code new SerialExecutor(pool)}): each user (a subscription's moves)
 * gets its own order without a thread of its own. {@link #inline()}: a task runs at once on the
 * submitting thread, unless another thread is running this executor's tasks; then that thread runs
 * it after the ones before it, and the submitter returns at once. A task submitted from inside a
 * task runs after the current one, never nested in it. This is how subscriptions deliver on the
 * pub/sub I/O thread without a hand-off, and still in one order.
 *
 * <p>Tasks must not throw: one that does stops the current run, and the tasks after it wait for
 * the next submission.
 */
final class SerialExecutor implements Executor {

    private final Executor delegate;
    /** Runs on the submitting thread: a task that finds the executor idle runs at once, unqueued. */
    private final boolean inline;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    SerialExecutor(Executor delegate) {
        this(delegate, false);
    }

    private SerialExecutor(Executor delegate, boolean inline) {
        this.delegate = delegate;
        this.inline = inline;
    }

    /** Runs tasks on the submitting thread (see the class comment). */
    static SerialExecutor inline() {
        return new SerialExecutor(Runnable::run, true);
    }

    /**
     * Inline, a task that finds nothing queued and nobody running runs at once without being
     * queued (the common case, once per event on the pub/sub thread); then whatever others queued
     * meanwhile runs after it, as {@link #drain} would.
     */
    @Override
    public void execute(Runnable task) {
        if (inline && tasks.isEmpty() && scheduled.compareAndSet(false, true)) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                scheduled.set(false);
                throw e;
            }
            drain();
            return;
        }
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            delegate.execute(drain);
        }
    }

    /**
     * Runs the queued tasks; a task queued after the queue looked empty but before this run let go
     * is run too (its submitter saw this run still scheduled and left it the task).
     */
    private void drain() {
        do {
            try {
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
            } finally {
                scheduled.set(false);
            }
        } while (!tasks.isEmpty() && scheduled.compareAndSet(false, true));
    }
}
