package io.thoonk.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The one JVM shutdown hook of the fixtures: whatever is still registered when the JVM exits
 * (Ctrl-C on {@code thoonk dev}, a test run that ends after a failed test, a benchmark that throws)
 * is closed, newest first, so no {@code redis-server} process and no temporary ZooKeeper directory
 * outlives the JVM. Coordinators started after the servers they use are so closed before them.
 *
 * <p>Fixtures register themselves when they start and unregister when they are closed; a fixture's
 * {@code close()} must be idempotent and safe to call from the hook while another thread closes it
 * too (the fixtures' {@code close()} methods are synchronized: the second caller waits for the first).
 */
public final class Reaper {

    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    private static final Set<AutoCloseable> LIVE = new LinkedHashSet<>();
    private static boolean exiting;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::closeAll, "thoonk-fixture-reaper"));
    }

    private Reaper() {
    }

    /**
     * Closes {@code resource} at JVM exit unless {@link #unregister unregistered} first. Register
     * before starting what the resource owns.
     *
     * @throws FixtureException if the JVM is already exiting (start nothing then)
     */
    public static void register(AutoCloseable resource) {
        Objects.requireNonNull(resource, "resource == null");
        synchronized (LIVE) {
            if (exiting) {
                throw new FixtureException("the JVM is exiting: not starting " + resource);
            }
            LIVE.add(resource);
        }
    }

    /** Forgets {@code resource} (it was closed); does nothing if it was not registered. */
    public static void unregister(AutoCloseable resource) {
        synchronized (LIVE) {
            LIVE.remove(resource);
        }
    }

    private static void closeAll() {
        List<AutoCloseable> newestFirst;
        synchronized (LIVE) {
            exiting = true;
            newestFirst = new ArrayList<>(LIVE);
        }
        java.util.Collections.reverse(newestFirst);
        for (AutoCloseable resource : newestFirst) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                log.warn("could not close {} at JVM exit: {}", resource, e.toString());
            }
        }
    }
}
