package io.thoonk.cli;

/**
 * What a command does when it is stopped (Ctrl-C, SIGTERM) while it follows work that goes on
 * without it (a move, a drain, a rebalance on the coordinators): the action runs in a shutdown hook,
 * so it completes before the process exits. {@link #close()} (the work's stream ended) removes it.
 */
final class Interruption implements AutoCloseable {

    private final Thread hook;

    private Interruption(Runnable action) {
        this.hook = new Thread(action, "thoonk-interrupted");
    }

    /** Runs {@code action} if the process is asked to stop before {@link #close()}. */
    static Interruption on(Runnable action) {
        Interruption interruption = new Interruption(action);
        Runtime.getRuntime().addShutdownHook(interruption.hook);
        return interruption;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it finishes before the process exits
        }
    }
}
