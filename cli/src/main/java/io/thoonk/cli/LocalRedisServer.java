package io.thoonk.cli;

import io.thoonk.client.ThoonkException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away {@code redis-server} on a free loopback port, without persistence, in a temporary
 * directory. {@link #close()} stops it and removes the directory; a JVM shutdown hook does the same
 * if the process is interrupted (Ctrl-C) first.
 */
final class LocalRedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path directory;
    private final int port;
    private final Thread shutdownHook;

    private LocalRedisServer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "thoonk-redis-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts redis-server (found on PATH) and returns once it answers PING. */
    static LocalRedisServer start() {
        Path binary = findOnPath("redis-server").orElseThrow(() -> new ThoonkException(
                "redis-server was not found on PATH; install Redis (Debian/Ubuntu: sudo apt-get install "
                        + "redis-server, macOS: brew install redis) or pass --redis URI"));
        try {
            Path directory = Files.createTempDirectory("thoonk-demo-redis-");
            int port = freePort();
            Process process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", directory.toString(), "--logfile", directory.resolve("redis.log").toString())
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("stdout.log").toFile())
                    .start();
            LocalRedisServer server = new LocalRedisServer(process, directory, port);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new ThoonkException("cannot start " + binary + ": " + e.getMessage(), e);
        }
    }

    /** {@code redis://127.0.0.1:port}. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the server too
        }
    }

    private synchronized void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        deleteRecursively(directory);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new ThoonkException("redis-server on port " + port + (process.isAlive()
                        ? " did not answer within " + Durations.format(START_TIMEOUT)
                        : " exited at start with code " + process.exitValue()));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new ThoonkException("interrupted while starting redis-server", e);
            }
        }
    }

    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(5);
            return "+PONG".equals(new String(reply, StandardCharsets.US_ASCII));
        } catch (IOException notYet) {
            return false;
        }
    }

    static Optional<Path> findOnPath(String program) {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        return Stream.concat(Stream.of(path.split(java.io.File.pathSeparator)),
                        List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin").stream())
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
