package io.thoonk.testing;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * What a fixture started, closed newest first. {@link #close()} closes every resource even when some
 * fail, then throws the first failure (a {@link FixtureException}) with the others suppressed.
 * Idempotent and thread-safe: resources are removed as they are closed.
 */
public final class Closer implements AutoCloseable {

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();

    /** Adds {@code resource} to close before everything added earlier; returns it. */
    public synchronized <T extends AutoCloseable> T add(T resource) {
        resources.push(Objects.requireNonNull(resource, "resource == null"));
        return resource;
    }

    /** Forgets {@code resource} without closing it (the caller closed it). */
    public synchronized void forget(AutoCloseable resource) {
        resources.removeFirstOccurrence(resource);
    }

    @Override
    public synchronized void close() {
        RuntimeException failure = null;
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof RuntimeException r ? r : new FixtureException("cannot close " + resource + ": " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Closes everything after {@code failure} (a failed start): failures to close are added to it
     * as suppressed exceptions, so the caller rethrows the failure that matters.
     */
    public void closeAfter(Throwable failure) {
        try {
            close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
