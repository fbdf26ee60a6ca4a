package io.thoonk.coordinator;

import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A single standalone ZooKeeper server running inside this JVM, for development and demos
 * ({@code thoonk dev}): it listens on a free loopback port and keeps its data in a temporary
 * directory that {@link #close()} deletes. Nothing survives a restart; production coordinators use a
 * real ensemble.
 *
 * <pre>{@code
 * try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
 *      Coordinator c = Coordinator.start(CoordinatorConfig.builder(zk.connectString()).build())) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Built on {@link ZooKeeperServerEmbedded} from the ZooKeeper jar; its admin HTTP server is off
 * and a fatal server error is logged instead of exiting the JVM. The ZooKeeper server needs
 * {@code io.dropwizard.metrics:metrics-core} and {@code org.xerial.snappy:snappy-java} at run time,
 * which ZooKeeper declares "provided": an application embedding this class must put them on its
 * classpath (the CLI does).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final ZooKeeperServerEmbedded server;
    private final Path directory;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, Path directory, int port) {
        this.server = server;
        this.directory = directory;
        this.port = port;
    }

    /**
     * Starts a server on a free loopback port with a fresh temporary data directory and returns
     * once it accepts clients.
     *
     * @throws IllegalStateException if the server does not start within 30 s or fails to start
     */
    public static EmbeddedZooKeeper start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("thoonk-zookeeper-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for ZooKeeper", e);
        }
        int port = freeLoopbackPort(directory);
        ZooKeeperServerEmbedded server = null;
        try {
            server = ZooKeeperServerEmbedded.builder()
                    .baseDir(directory)
                    .configuration(configuration(directory, port))
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            server.start(START_TIMEOUT.toMillis());
            return new EmbeddedZooKeeper(server, directory, port);
        } catch (Exception e) {
            if (server != null) {
                server.close();
            }
            deleteRecursively(directory);
            throw new IllegalStateException("cannot start an embedded ZooKeeper on 127.0.0.1:" + port + ": " + e, e);
        }
    }

    private static Properties configuration(Path directory, int port) {
        Properties p = new Properties();
        p.setProperty("dataDir", directory.resolve("data").toString());
        p.setProperty("clientPort", Integer.toString(port));
        p.setProperty("clientPortAddress", "127.0.0.1");
        p.setProperty("tickTime", "1000");
        // ZooKeeper turns keys it does not know into zookeeper.* system properties: no admin HTTP
        // server (no Jetty needed), and an explicit connection limit (0 logs a warning)
        p.setProperty("admin.enableServer", "false");
        p.setProperty("maxCnxns", "1000");
        return p;
    }

    /** The client connect string, {@code 127.0.0.1:port}. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** The temporary directory holding the data; deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** Stops the server and deletes its data directory; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.close();
            deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper[" + connectString() + ", " + directory + "]";
    }

    private static int freeLoopbackPort(Path directoryToDeleteOnFailure) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            deleteRecursively(directoryToDeleteOnFailure);
            throw new UncheckedIOException("no free loopback port for ZooKeeper", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a leftover temporary directory is harmless
        }
    }
}
