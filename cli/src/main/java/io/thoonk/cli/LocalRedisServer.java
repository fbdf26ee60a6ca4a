package io.thoonk.cli;

import io.thoonk.client.ThoonkException;

import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A throw-away {@code redis-server} on a free loopback port, without persistence, in a temporary
 * directory. {@link #close()} stops it and removes the directory; a JVM shutdown hook does the same
 * if the process is interrupted (Ctrl-C) first.
 */
final class LocalRedisServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(20);

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

    /**
     * Starts redis-server (found on PATH) with extra arguments, e.g. {@code --replicaof 127.0.0.1 6379},
     * and returns once it answers PING.
     */
    static LocalRedisServer start(String... extraArgs) {
        Path binary = findOnPath("redis-server").orElseThrow(() -> new ThoonkException(
                "redis-server was not found on PATH; install Redis (Debian/Ubuntu: sudo apt-get install "
                        + "redis-server, macOS: brew install redis) or pass --redis URI"));
        try {
            Path directory = Files.createTempDirectory("thoonk-local-redis-");
            int port = freePort();
            List<String> command = new ArrayList<>(List.of(binary.toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                    "--dir", directory.toString(), "--logfile", directory.resolve("redis.log").toString()));
            command.addAll(List.of(extraArgs));
            Process process = new ProcessBuilder(command)
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

    /** {@code 127.0.0.1:port}, as the coordinator's API names nodes. */
    String address() {
        return "127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** Waits until this replica reports {@code master_link_status:up} (INFO replication). */
    void awaitReplicationLink() {
        await(() -> reply("INFO replication").contains("master_link_status:up"), LINK_TIMEOUT,
                "its link to the primary to come up");
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
        await(() -> reply("PING").equals("PONG"), START_TIMEOUT, "PONG");
    }

    private void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new ThoonkException("redis-server on port " + port + (process.isAlive()
                        ? " did not report " + what + " within " + Durations.format(timeout)
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

    /**
     * Sends one inline command and returns the reply's text: a status or error line without its
     * {@code +}/{@code -}, or a bulk string; empty if the server cannot be reached (yet).
     */
    private String reply(String inlineCommand) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write((inlineCommand + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String first = readLine(in);
            if (first.startsWith("$")) {
                int length = Integer.parseInt(first.substring(1));
                return length < 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
            }
            return first.isEmpty() ? "" : first.substring(1);
        } catch (IOException | NumberFormatException notYet) {
            return "";
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
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
