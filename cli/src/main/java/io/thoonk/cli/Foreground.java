package io.thoonk.cli;

import io.thoonk.client.ThoonkException;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;

import java.net.BindException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the long-running commands ({@code coordinator}, {@code dev}) share: starting a coordinator
 * with failures a person can act on, and staying up until Ctrl-C or SIGTERM.
 */
final class Foreground {

    private Foreground() {
    }

    /** Starts a coordinator; a failure becomes a {@link ThoonkException} saying what went wrong. */
    static Coordinator startCoordinator(CoordinatorConfig config) {
        try {
            return Coordinator.start(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThoonkException("interrupted while starting the coordinator", e);
        } catch (Exception e) {
            if (hasCause(e, BindException.class) || String.valueOf(e.getMessage()).startsWith("Failed to bind")) {
                throw new ThoonkException("cannot serve gRPC on port " + config.grpcPort() + ": it is in use "
                        + "(choose another port; 0 picks a free one)", e);
            }
            throw new ThoonkException("cannot start the coordinator (ZooKeeper " + config.zookeeper() + "): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM) or the calling thread is interrupted,
     * then closes {@code resources}, once. On a JVM stop the closing happens in a shutdown hook, so it
     * completes before the process exits.
     */
    static void runUntilStopped(AutoCloseable resources) {
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeOnce = () -> {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(resources);
            }
        };
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            closeOnce.run();
            stopped.countDown();
        }, "thoonk-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean interrupted = false;
        try {
            stopped.await();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            closeOnce.run();
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it closes the resources
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable resources) {
        try {
            resources.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
