package io.thoonk.testing;

import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real ZooKeeper server, or an ensemble of them, running inside this JVM on free loopback ports:
 * the only way the project starts ZooKeeper (tests, {@code thoonk dev}, benchmarks). Built on
 * curator-test's {@link TestingCluster} (ZooKeeper's own server code; one server runs standalone).
 *
 * <p>Each server keeps its data in a temporary directory {@code thoonk-zookeeper-*} that
 * {@link #close()} deletes, as the {@link Reaper} does at JVM exit if nobody closed it. Nothing
 * survives a close: production runs a real ensemble. Fault tests can {@link #stop(int) stop} and
 * {@link #restart(int) restart} servers. Thread-safe.
 */
public final class ZooKeeperEnsemble extends TemporaryServer {

    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int PROBE_SESSION_MILLIS = 10_000;

    private final TestingCluster cluster;
    private final List<InstanceSpec> servers;

    private ZooKeeperEnsemble(List<InstanceSpec> servers, List<Path> directories) {
        super(directories);
        this.servers = List.copyOf(servers);
        this.cluster = new TestingCluster(this.servers);
    }

    /**
     * Starts {@code size} servers (1: a standalone server; 3 or more: an ensemble) and returns once
     * a client can connect and read.
     *
     * @throws FixtureTimeoutException if that takes more than 30 s
     * @throws FixtureException        if a server fails to start
     */
    public static ZooKeeperEnsemble start(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, was " + size);
        }
        List<Path> directories = new ArrayList<>();
        List<InstanceSpec> servers = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            Path dir = LocalFiles.temporaryDirectory("thoonk-zookeeper-");
            directories.add(dir);
            // ports -1: free ones; default tick time and connection limit; clients on loopback only
            servers.add(new InstanceSpec(dir.toFile(), -1, -1, -1, true, id, -1, -1,
                    Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"));
        }
        return start(new ZooKeeperEnsemble(servers, directories), ensemble -> {
            Deadline deadline = Deadline.after(START_TIMEOUT);
            Deadline.runWithin(START_TIMEOUT, "starting " + ensemble, ensemble.cluster::start);
            ensemble.awaitClients(deadline);
        });
    }

    /** Connects a plain ZooKeeper client and reads the root: the servers serve clients. */
    private void awaitClients(Deadline deadline) {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper client = null;
        try {
            client = new ZooKeeper(connectString(), PROBE_SESSION_MILLIS, event -> {
                if (event.getState() == KeeperState.SyncConnected) {
                    connected.countDown();
                }
            });
            if (!connected.await(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new FixtureTimeoutException(this + " did not accept a client", deadline.timeout());
            }
            client.exists("/", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while waiting for " + this, e);
        } catch (FixtureException e) {
            throw e;
        } catch (Exception e) {
            throw new FixtureException(this + " does not answer a client: " + e, e);
        } finally {
            if (client != null) {
                try {
                    client.close(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** The client connect string, {@code 127.0.0.1:port[,127.0.0.1:port...]}. */
    public String connectString() {
        return cluster.getConnectString();
    }

    /** The number of servers. */
    public int size() {
        return servers.size();
    }

    /** The temporary directories holding the servers' data; deleted by {@link #close()}. */
    public List<Path> directories() {
        return temporaryDirectories();
    }

    /** Stops server {@code index} (0-based) abruptly; its clients lose their connection to it. */
    public synchronized void stop(int index) {
        InstanceSpec server = server(index);
        Deadline.runWithin(STOP_TIMEOUT, "stopping ZooKeeper server " + server.getConnectString(),
                () -> cluster.killServer(server));
    }

    /** Starts server {@code index} again after {@link #stop(int)}, on the same port and data. */
    public synchronized void restart(int index) {
        InstanceSpec server = server(index);
        Deadline.runWithin(START_TIMEOUT, "restarting ZooKeeper server " + server.getConnectString(),
                () -> cluster.restartServer(server));
    }

    /** Stops every server (clients lose their connection). */
    public synchronized void stopAll() {
        for (int i = 0; i < servers.size(); i++) {
            stop(i);
        }
    }

    /** Restarts every server stopped by {@link #stopAll()}. */
    public synchronized void restartAll() {
        for (int i = 0; i < servers.size(); i++) {
            restart(i);
        }
    }

    private InstanceSpec server(int index) {
        ensureOpen();
        if (index < 0 || index >= servers.size()) {
            throw new IllegalArgumentException("server index must be 0.." + (servers.size() - 1) + ", was " + index);
        }
        return servers.get(index);
    }

    @Override
    void stop() {
        Deadline.runWithin(STOP_TIMEOUT, "stopping " + this, cluster::close);
    }

    @Override
    public String toString() {
        return "zookeeper[" + connectString() + "]";
    }
}
