package io.thoonk.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The CLI in a JVM of its own, as a person runs it: what reaches the console (logging, library
 * output) only shows in a fresh process, with the CLI's own logging configuration. The environment
 * has no {@code THOONK_*} target variables, and the {@code thoonk dev} record is {@code record}.
 */
final class CliProcess implements AutoCloseable {

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final List<String> out = new CopyOnWriteArrayList<>();
    private final List<String> err = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> outDone;
    private final CompletableFuture<Void> errDone;

    private CliProcess(Process process) {
        this.process = process;
        this.outDone = reader(process.getInputStream(), out, "stdout");
        this.errDone = reader(process.getErrorStream(), err, "stderr");
    }

    /** Reads {@code stream} into {@code lines} on a thread of its own (a full pipe would block the process). */
    private static CompletableFuture<Void> reader(InputStream stream, List<String> lines, String name) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            collect(stream, lines);
            done.complete(null);
        }, "thoonk-process-" + name);
        thread.setDaemon(true);
        thread.start();
        return done;
    }

    /** Starts {@code thoonk ARGS}. */
    static CliProcess start(Path record, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-D" + LocalClusterRecord.LOCATION_PROPERTY + "=" + record, ThoonkCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.remove(Target.REDIS_ENV);
        env.remove(Target.COORDINATOR_ENV);
        env.remove(LocalClusterRecord.LOCATION_ENV);
        try {
            return new CliProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code thoonk ARGS} to its end, waiting at most {@code timeout}. */
    static CliProcess run(Path record, Duration timeout, String... args) {
        CliProcess cli = start(record, args);
        cli.awaitExit(timeout);
        return cli;
    }

    /** Waits for the process to exit and its output to be read. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("thoonk did not exit within " + timeout + "\n" + this);
            }
            CompletableFuture.allOf(outDone, errDone).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("reading the output of thoonk failed\n" + this, e);
        }
    }

    /**
     * Asks the process to stop as Ctrl-C would (SIGTERM runs the same shutdown hooks) and waits for
     * it, reading what it prints meanwhile ({@code Process.destroy()} would close its output at once).
     */
    int stop() {
        process.toHandle().destroy();
        return awaitExit(STOP_TIMEOUT);
    }

    /** The process, e.g. to find what it started. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int exitCode() {
        return process.exitValue();
    }

    /** The lines printed to stdout so far. */
    List<String> out() {
        return List.copyOf(out);
    }

    /** The lines printed to stderr so far. */
    List<String> err() {
        return List.copyOf(err);
    }

    private static void collect(InputStream stream, List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    /** Stops the process if it still runs: SIGTERM first, so it stops what it started. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return "--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", err);
    }
}
