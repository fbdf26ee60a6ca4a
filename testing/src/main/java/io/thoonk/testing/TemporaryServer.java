package io.thoonk.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What the server fixtures share: registered with the {@link Reaper} before anything starts;
 * {@link #close()} stops the servers (with a deadline), unregisters, and deletes their temporary
 * directories, once. Subclasses synchronize on themselves, as {@link #close()} does.
 */
abstract class TemporaryServer implements AutoCloseable {

    private final List<Path> directories;
    private boolean closed;

    TemporaryServer(List<Path> directories) {
        this.directories = List.copyOf(directories);
    }

    /**
     * Registers {@code server} with the {@link Reaper}, then runs {@code start} on it; if that fails,
     * closes it and rethrows.
     */
    static <T extends TemporaryServer> T start(T server, Consumer<T> start) {
        try {
            Reaper.register(server);
            start.accept(server);
            return server;
        } catch (RuntimeException | Error e) {
            try {
                server.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Stops the servers, within a deadline. */
    abstract void stop();

    /** The temporary directories, deleted by {@link #close()}. */
    final List<Path> temporaryDirectories() {
        return directories;
    }

    /** Fails if {@link #close()} was called. */
    final synchronized void ensureOpen() {
        if (closed) {
            throw new FixtureException(this + " is closed");
        }
    }

    /**
     * Stops the servers and deletes their directories; idempotent.
     *
     * @throws FixtureTimeoutException if they do not stop in time (the directories are deleted anyway)
     */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            Reaper.unregister(this);
            List<Path> left = directories.stream().filter(dir -> !LocalFiles.deleteRecursively(dir)).toList();
            if (!left.isEmpty()) {
                throw new FixtureException("cannot delete the temporary directories " + left + " of " + this);
            }
        }
    }
}
