package io.thoonk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * One real {@code redis-server} process on a free loopback port: the only way the project starts
 * Redis (tests, {@code thoonk dev}, {@code thoonk demo}, benchmarks). It listens on 127.0.0.1, or on
 * another loopback address and a given port with {@link #startOn}.
 *
 * <p>{@link #start} returns once the server answers on its port (this process, not another server
 * holding the port: {@code INFO server} names its process id) within 20 s, or throws a
 * {@link FixtureTimeoutException}. The server runs without persistence, in its own temporary
 * directory that holds its output ({@code stdout.log}, {@code redis.log}). Fault tests use
 * {@link #kill()} (SIGKILL), {@link #pause()} / {@link #resume()} (SIGSTOP / SIGCONT) and
 * {@link #restart()} (same port, same arguments). {@link #close()} kills the process and deletes the
 * directory; the {@link Reaper} does the same at JVM exit for a process nobody closed. Thread-safe.
 *
 * <p>{@link #startWithPassword} starts a server that requires a password of every client, as a
 * production deployment does ({@code requirepass}), and that gives the same password to a primary
 * it replicates ({@code masterauth}, so a failover may turn any node into a replica of any other);
 * its {@link #uri()} then carries the password and its own {@link #command} calls authenticate.
 */
public final class RedisProcess extends TemporaryServer {

    /** Environment variable naming the redis-server binary; otherwise it is looked up on PATH. */
    public static final String BINARY_ENV = "THOONK_REDIS_SERVER";

    static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);
    private static final int COMMAND_TIMEOUT_MILLIS = 5000;
    /** Attempts at a first start when another process takes the chosen port first. */
    private static final int PORT_ATTEMPTS = 5;

    /** The address {@link #start} listens on. */
    static final String DEFAULT_HOST = "127.0.0.1";

    private final Path binary;
    private final Path directory;
    private final String host;
    private final int requestedPort;
    /** Before the common arguments: a configuration file and {@code --sentinel} in Sentinel mode, else none. */
    private final List<String> leadingArgs;
    private final List<String> extraArgs;
    /** What clients must authenticate with ({@code requirepass}), or null for none. */
    private final String password;
    private volatile int port;
    private Process process;

    private RedisProcess(Path binary, Path directory, String host, int requestedPort, List<String> leadingArgs,
                         List<String> extraArgs, String password) {
        super(List.of(directory));
        this.binary = binary;
        this.directory = directory;
        this.host = host;
        this.requestedPort = requestedPort;
        this.leadingArgs = List.copyOf(leadingArgs);
        this.extraArgs = List.copyOf(extraArgs);
        this.password = password;
    }

    /** Starts a server on a free port with extra arguments, and waits until it answers. */
    public static RedisProcess start(String... extraArgs) {
        return start(List.of(extraArgs));
    }

    /**
     * Starts a server with extra {@code redis-server} arguments (e.g. {@code --replicaof h p}) on a
     * free loopback port, and waits until it answers.
     *
     * @throws RedisServerNotFoundException if there is no redis-server binary
     * @throws FixtureException             if it exits at start (the message quotes its log)
     * @throws FixtureTimeoutException      if it does not answer within 20 s
     */
    public static RedisProcess start(List<String> extraArgs) {
        return startOn(DEFAULT_HOST, 0, extraArgs);
    }

    /**
     * Starts a server listening on {@code host} only, a loopback address (Linux routes all of
     * 127.0.0.0/8 to the loopback interface, so e.g. {@code 127.0.0.2} works there), on {@code port}
     * (0: a free one), with extra arguments, and waits until it answers: for tests that need
     * two servers on the same port of different hosts.
     *
     * @throws IllegalArgumentException     if {@code host} is not a loopback address or the port is out of range
     * @throws RedisServerNotFoundException if there is no redis-server binary
     * @throws FixtureException             if it exits at start, e.g. because the port is taken (the message
     *                                      quotes its log)
     * @throws FixtureTimeoutException      if it does not answer within 20 s
     */
    public static RedisProcess startOn(String host, int port, String... extraArgs) {
        return startOn(host, port, List.of(extraArgs), null);
    }

    /**
     * Like {@link #start(String...)}, for a server that requires {@code password} of every client
     * ({@code requirepass}) and authenticates with it to a primary it replicates ({@code masterauth}):
     * {@code --replicaof h p} among the arguments makes a replica of a primary started with the same
     * password. The password is on the process's command line: for tests and local clusters only.
     *
     * @throws IllegalArgumentException if the password is empty or has a character other than letters,
     *                                  digits and {@code . _ ~ -} (it goes into {@link #uri()} unencoded)
     */
    public static RedisProcess startWithPassword(String password, String... extraArgs) {
        Objects.requireNonNull(password, "password == null");
        if (!password.matches("[A-Za-z0-9._~-]+")) {
            throw new IllegalArgumentException("the fixture's password must be non-empty letters, digits and . _ ~ - "
                    + "(it goes into redis:// URIs unencoded)");
        }
        return startOn(DEFAULT_HOST, 0, List.of(extraArgs), password);
    }

    private static RedisProcess startOn(String host, int port, List<String> extraArgs) {
        return startOn(host, port, extraArgs, null);
    }

    private static RedisProcess startOn(String host, int port, List<String> extraArgs, String password) {
        Objects.requireNonNull(extraArgs, "extraArgs == null");
        requireLoopback(host);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        Path binary = findBinary();
        return start(new RedisProcess(binary, LocalFiles.temporaryDirectory("thoonk-redis-"), host, port, List.of(),
                extraArgs, password), RedisProcess::launchFirst);
    }

    /**
     * Starts {@code redis-server sentinel.conf --sentinel} on a free port of 127.0.0.1, the
     * configuration file (these lines) in the process's own directory, where Sentinel rewrites it;
     * for {@link SentinelProcess}.
     */
    static RedisProcess startSentinel(List<String> configLines) {
        Path binary = findBinary();
        Path directory = LocalFiles.temporaryDirectory("thoonk-sentinel-");
        Path conf = directory.resolve("sentinel.conf");
        try {
            Files.write(conf, configLines);
        } catch (IOException e) {
            LocalFiles.deleteRecursively(directory);
            throw new FixtureException("cannot write " + conf + ": " + e, e);
        }
        return start(new RedisProcess(binary, directory, DEFAULT_HOST, 0, List.of(conf.toString(), "--sentinel"),
                List.of(), null), RedisProcess::launchFirst);
    }

    private static void requireLoopback(String host) {
        Objects.requireNonNull(host, "host == null");
        boolean loopback;
        try {
            loopback = InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException("host must be a loopback address (such as 127.0.0.1 or 127.0.0.2), was "
                    + host);
        }
    }

    /** Finds redis-server ({@value #BINARY_ENV}, else PATH), or fails with a message that says what to install. */
    public static Path findBinary() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (Files.isExecutable(p)) {
                return p;
            }
            throw new RedisServerNotFoundException(BINARY_ENV + "=" + configured + " is not an executable file");
        }
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        List<String> dirs = new ArrayList<>(List.of(path.split(java.io.File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/opt/homebrew/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "redis-server"))) {
                return Path.of(d, "redis-server");
            }
        }
        throw new RedisServerNotFoundException("redis-server was not found on PATH: install Redis 7 "
                + "(Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set "
                + BINARY_ENV + " to the redis-server binary.");
    }

    /** The first start: on the port asked for, or on a free one (another if it is taken meanwhile). */
    private synchronized void launchFirst() {
        if (requestedPort != 0) {
            port = requestedPort;
            launch();
            return;
        }
        for (int attempt = 1; ; attempt++) {
            port = LocalFiles.freePort(host);
            try {
                launch();
                return;
            } catch (FixtureException e) {
                if (attempt >= PORT_ATTEMPTS || !log().contains("Address already in use")) {
                    throw e;
                }
                // another process took the port between our probe and redis-server's bind: pick another
            }
        }
    }

    private void launch() {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(leadingArgs);
        cmd.addAll(List.of("--port", Integer.toString(port), "--bind", host,
                "--save", "", "--appendonly", "no", "--dir", directory.toString(),
                "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning",
                // a replica's first full sync starts at once instead of after Redis 7's 5 s delay
                "--repl-diskless-sync-delay", "0",
                "--logfile", directory.resolve("redis.log").toString()));
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password, "--masterauth", password));
        }
        cmd.addAll(extraArgs);
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new FixtureException("cannot start " + String.join(" ", cmd) + ": " + e, e);
        }
        Process started = process;
        try {
            Deadline.await(START_TIMEOUT, this + " did not answer", () -> {
                if (!started.isAlive()) {
                    throw new FixtureException(this + " exited at start with code " + started.exitValue()
                            + "; its output ends: " + tail(log()));
                }
                return answers(started.pid());
            });
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    /**
     * True once the server of process {@code pid} answers on the port: another server that holds
     * the port (so that this one cannot bind it) does not count.
     */
    private boolean answers(long pid) {
        try {
            return command("INFO server").lines().anyMatch(("process_id:" + pid)::equals);
        } catch (IOException notYet) {
            return false;
        }
    }

    /** What it printed: start-up errors (e.g. a bad argument) on stdout, the rest in redis.log. */
    private String log() {
        StringBuilder out = new StringBuilder();
        for (String file : List.of("stdout.log", "redis.log")) {
            try {
                out.append(Files.readString(directory.resolve(file)));
            } catch (IOException missing) {
                // not written (yet)
            }
        }
        return out.toString();
    }

    private static String tail(String log) {
        List<String> lines = log.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    /** The loopback address it listens on: 127.0.0.1 unless started with {@link #startOn}. */
    public String host() {
        return host;
    }

    /** Port on {@link #host()}. */
    public int port() {
        return port;
    }

    /**
     * {@code redis://host:port}, or {@code redis://:password@host:port} for a server
     * {@linkplain #startWithPassword started with a password}.
     */
    public String uri() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + address();
    }

    /** The password clients must give, if it was {@linkplain #startWithPassword started with one}. */
    public java.util.Optional<String> password() {
        return java.util.Optional.ofNullable(password);
    }

    /** {@code host:port} (e.g. {@code 127.0.0.1:6390}), as the coordinator's API names Redis nodes. */
    public String address() {
        return host + ":" + port();
    }

    /** Process id of the running server. */
    public synchronized long pid() {
        if (process == null) {
            throw new FixtureException(this + " has no process");
        }
        return process.pid();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * Sends one command (space-separated words, no quoting) over a fresh socket and returns the
     * reply as text: a simple/bulk string, an integer, or array elements joined by newlines; null
     * for a nil reply. Waits at most 5 s for the reply. On a server with a password, it authenticates
     * first.
     *
     * @throws IOException if the server cannot be reached, does not answer in time, or answers an error
     */
    public String command(String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port()), 1000);
            socket.setSoTimeout(COMMAND_TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            StringBuilder resp = new StringBuilder();
            if (password != null) {
                encode(resp, "AUTH " + password);
            }
            encode(resp, command);
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            RespReader in = new RespReader(socket.getInputStream());
            if (password != null) {
                in.read();
            }
            return in.read();
        }
    }

    /** Appends {@code command}'s space-separated words as one RESP array of bulk strings. */
    private static void encode(StringBuilder resp, String command) {
        String[] words = command.split(" ");
        resp.append('*').append(words.length).append("\r\n");
        for (String w : words) {
            byte[] b = w.getBytes(StandardCharsets.UTF_8);
            resp.append('$').append(b.length).append("\r\n").append(w).append("\r\n");
        }
    }

    /** Like {@link #command(String)} but unchecked, for test code. */
    public String call(String command) {
        try {
            return command(command);
        } catch (IOException e) {
            throw new FixtureException(this + " did not answer " + command + ": " + e, e);
        }
    }

    /**
     * SIGKILL: the process dies at once, as in a crash. Returns once it is gone.
     *
     * @throws FixtureTimeoutException if it is still alive 10 s later
     */
    public synchronized void kill() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new FixtureTimeoutException(this + " (pid " + p.pid() + ") did not exit after SIGKILL", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while waiting for " + this + " to exit", e);
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
        long pid = pid();
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                kill.destroyForcibly();
                throw new FixtureTimeoutException("kill -" + name + " " + pid + " (" + this + ") did not finish",
                        SIGNAL_TIMEOUT);
            }
            if (kill.exitValue() != 0) {
                throw new FixtureException("kill -" + name + " " + pid + " (" + this + ") failed with code "
                        + kill.exitValue());
            }
        } catch (IOException e) {
            throw new FixtureException("cannot signal " + this + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FixtureException("interrupted while signalling " + this, e);
        }
    }

    /** Starts the server again on the same port and with the same arguments (killing it first if it runs). */
    public synchronized void restart() {
        ensureOpen();
        kill();
        launch();
    }

    @Override
    void stop() {
        kill();
    }

    @Override
    public String toString() {
        return (leadingArgs.isEmpty() ? "redis-server[" : "redis-sentinel[") + host + ":" + port + "]";
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
