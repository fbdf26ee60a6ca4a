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
            throw startFailure("the coordinator (ZooKeeper " + config.zookeeper() + ")", config.grpcPort(), e);
        }
    }

    /**
     * A failure to start {@code what}, which serves gRPC on {@code grpcPort}, as a message a person
     * can act on: a port in use says so; anything else keeps its own message.
     */
    static ThoonkException startFailure(String what, int grpcPort, Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).startsWith("Failed to bind")) {
                return new ThoonkException("cannot serve gRPC on port " + grpcPort + ": it is in use "
                        + "(choose another port; 0 picks a free one)", e);
            }
        }
        return new ThoonkException("cannot start " + what + ": " + e.getMessage(), e);
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
}
