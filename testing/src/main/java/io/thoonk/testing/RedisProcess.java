package io.thoonk.testing;

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
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code redis-server} process on a free loopback port, owned by a test.
 *
 * <p>Fault tests use {@link #kill()} (SIGKILL), {@link #pause()} / {@link #resume()} (SIGSTOP /
 * SIGCONT) and {@link #restart()}. The process runs without persistence in its own temporary
 * directory and is killed by {@link #close()} or, as a last resort, by a JVM shutdown hook.
 */
public final class RedisProcess implements AutoCloseable {

    /** Environment variable naming the redis-server binary; otherwise it is looked up on PATH. */
    public static final String BINARY_ENV = "THOONK_REDIS_SERVER";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path binary;
    private final Path directory;
    private final List<String> extraArgs;
    private volatile int port;
    private volatile Process process;

    private RedisProcess(Path binary, Path directory, int port, List<String> extraArgs) {
        this.binary = binary;
        this.directory = directory;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
    }

    /** Starts a primary on a free port and waits until it answers PING. */
    public static RedisProcess start(String... extraArgs) {
        return start(List.of(extraArgs));
    }

    /** Starts a server with extra {@code redis-server} arguments (e.g. {@code --replicaof h p}). */
    public static RedisProcess start(List<String> extraArgs) {
        Path binary = findBinary();
        try {
            Path dir = Files.createTempDirectory("thoonk-redis-");
            RedisProcess redis = new RedisProcess(binary, dir, freePort(), extraArgs);
            redis.launch();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for redis-server: " + e, e);
        }
    }

    /** Finds redis-server, or fails with a message that says what to install. */
    public static Path findBinary() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new RedisServerNotFoundException(BINARY_ENV + "=" + configured + " is not an executable file");
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");
        List<String> dirs = new ArrayList<>(List.of(path.split(":")));
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        dirs.add("/usr/sbin");
        for (String d : dirs) {
            Path candidate = Path.of(d, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new RedisServerNotFoundException("redis-server was not found on PATH. The tests run real Redis "
                + "servers: install Redis 7 (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: "
                + "`brew install redis`) or set " + BINARY_ENV + " to the redis-server binary.");
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port: " + e, e);
        }
    }

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", directory.toString(),
                "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
                "--logfile", directory.resolve("redis.log").toString()));
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd + ": " + e, e);
        }
        Reaper.register(this);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited at start (code "
                        + process.exitValue() + "); see " + directory.resolve("redis.log"));
            }
            try {
                if ("PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting: poll again
            }
            pollPause();
        }
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + START_TIMEOUT);
    }

    private static void pollPause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }

    /** Port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:port}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Process id of the running server. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /**
     * Sends one command (space-separated words, no quoting) over a fresh socket and returns the
     * reply as text: a simple/bulk string, an integer, or array elements joined by newlines.
     */
    public String command(String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            String[] words = command.split(" ");
            StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
            for (String w : words) {
                byte[] b = w.getBytes(StandardCharsets.UTF_8);
                resp.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
            }
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new RespReader(socket.getInputStream()).read();
        }
    }

    /** Like {@link #command(String)} but unchecked, for test code. */
    public String call(String command) {
        try {
            return command(command);
        } catch (IOException e) {
            throw new IllegalStateException("redis on port " + port + " did not answer " + command + ": " + e, e);
        }
    }

    /** SIGKILL: the process dies at once, as in a crash. */
    public void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGSTOP: the process stays alive but answers nothing, like a hung or partitioned server. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal redis-server: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Starts the server again on the same port (after {@link #kill()}), with the same arguments. */
    public void restart() {
        if (isAlive()) {
            kill();
        }
        launch();
    }

    @Override
    public void close() {
        kill();
        Reaper.unregister(this);
        deleteQuietly(directory);
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }

    @Override
    public String toString() {
        return "redis-server[127.0.0.1:" + port + "]";
    }

    /** Kills every process still running when the JVM exits, even after a failed test. */
    private static final class Reaper {
        private static final java.util.Set<RedisProcess> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(RedisProcess::kill), "redis-reaper"));
        }

        static void register(RedisProcess p) {
            LIVE.add(p);
        }

        static void unregister(RedisProcess p) {
            LIVE.remove(p);
        }
    }

    /** Minimal RESP2 reader for the fixture's own health checks. */
    private static final class RespReader {
        private final InputStream in;

        RespReader(InputStream in) {
            this.in = in;
        }

        String read() throws IOException {
            int type = in.read();
            String line = line();
            switch (type) {
                case '+':
                case ':':
                    return line;
                case '-':
                    throw new IOException("redis error: " + line);
                case '$': {
                    int len = Integer.parseInt(line);
                    if (len < 0) {
                        return null;
                    }
                    byte[] b = in.readNBytes(len + 2);
                    return new String(b, 0, len, StandardCharsets.UTF_8);
                }
                case '*': {
                    int n = Integer.parseInt(line);
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            sb.append('\n');
                        }
                        sb.append(read());
                    }
                    return sb.toString();
                }
                default:
                    throw new IOException("unexpected RESP type " + (char) type);
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                sb.append((char) c);
            }
            in.read();
            return sb.toString();
        }
    }
}
