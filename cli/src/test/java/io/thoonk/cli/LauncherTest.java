package io.thoonk.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The {@code thoonk} launcher script at the repository root, run as a user runs it, on a jar of
 * {@link LauncherProbe} in place of the CLI's: a rebuild of {@code cli/target/thoonk.jar} while a
 * {@code thoonk} runs must not reach the running JVM; one-shot commands get a C1-only JIT and a
 * class data sharing archive, long-running roles neither the C1 limit nor a recording run.
 */
class LauncherTest {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path launcher;
    private Path jar;
    private Path cache;

    @BeforeEach
    void aCheckoutWithABuiltJar() throws IOException {
        cache = dir.resolve("cache");
        launcher = checkout(dir.resolve("checkout"), "1");
        jar = launcher.resolveSibling("cli/target/thoonk.jar");
    }

    /** A checkout at {@code root} with the launcher and a built jar of {@code version}; its launcher. */
    private static Path checkout(Path root, String version) throws IOException {
        Files.createDirectories(root.resolve("cli/target"));
        Path script = root.resolve("thoonk");
        Files.copy(Path.of("").toAbsolutePath().getParent().resolve("thoonk"), script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.write(root.resolve("cli/target/thoonk.jar"), probeJar(version, 10_000));
        return script;
    }

    @Test
    void a_running_thoonk_survives_a_rebuild_that_rewrites_the_jar_in_place() throws Exception {
        Launched dev = launch("dev");
        dev.awaitLine("ready");

        // a rebuild writing the same file (same inode), as the jar plugin did before the build renamed
        Files.write(jar, probeJar("2", 50_000));
        Launched.Result result = dev.finish("\n");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).as(result.toString()).contains("version 1", "late class loaded");
    }

    @Test
    void a_rebuild_gets_a_new_copy_and_old_copies_go_once_nothing_started_from_them_runs() throws Exception {
        Launched dev = launch("dev");
        dev.awaitLine("ready");
        assertThat(copies()).hasSize(1);

        Files.write(jar, probeJar("2", 50_000));
        Launched.Result second = launch("feed", "all", "f").finish("");
        assertThat(second.lines()).as(second.toString()).contains("version 2");
        assertThat(copies()).as("the first copy stays while the dev started from it runs").hasSize(2);

        assertThat(dev.finish("\n").lines()).contains("version 1");
        Files.write(jar, probeJar("3", 20_000));
        Launched.Result third = launch("feed", "all", "f").finish("");

        assertThat(third.lines()).as(third.toString()).contains("version 3");
        assertThat(copies()).as("the copies nothing runs from any more are gone").hasSize(1);
    }

    @Test
    void checkouts_sharing_the_cache_keep_their_copies_until_the_checkout_is_gone() throws Exception {
        Path other = dir.resolve("other");
        Path otherLauncher = checkout(other, "other");
        assertThat(launch(otherLauncher, "feed", "all", "f").finish("").lines()).contains("version other");
        launch(launcher, "feed", "all", "f").finish("");

        Files.write(jar, probeJar("2", 50_000));
        launch(launcher, "feed", "all", "f").finish("");
        assertThat(copies()).as("one copy for each checkout").hasSize(2);

        deleteTree(other);
        Files.write(jar, probeJar("3", 20_000));
        launch(launcher, "feed", "all", "f").finish("");
        assertThat(copies()).as("the copies of a checkout that is gone go too").hasSize(1);
    }

    @Test
    void one_shot_commands_run_with_c1_and_a_class_data_archive_that_their_first_run_records() throws Exception {
        Launched.Result first = launch("feed", "all", "f").finish("");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(options(first)).contains("-XX:TieredStopAtLevel=1").anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
        assertThat(archives()).as("the data commands' archive").hasSize(1)
                .allMatch(a -> a.getFileName().toString().startsWith("data-"));

        Launched.Result second = launch("--output", "json", "job", "list", "q").finish("");

        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(options(second)).contains("-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=" + archives().get(0))
                .noneMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit"));
        assertThat(second.out()).as("nothing but the program's own output").isEqualTo(first.out());
    }

    @Test
    void long_running_roles_keep_the_full_jit_and_record_no_archive() throws Exception {
        for (String role : List.of("dev", "coordinator", "demo")) {
            Launched.Result result = launch(role).finish("");

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(options(result)).as(role).noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel")
                    || o.startsWith("-XX:ArchiveClassesAtExit"));
        }
        assertThat(archives()).isEmpty();
    }

    private static List<String> options(Launched.Result result) {
        return result.lines().stream().filter(l -> l.startsWith("options ")).findFirst()
                .map(l -> Arrays.asList(l.substring("options ".length()).split(" ")))
                .orElseThrow(() -> new AssertionError("no options line in " + result));
    }

    private List<Path> copies() throws IOException {
        try (Stream<Path> files = Files.walk(cache, 2)) {
            return files.filter(p -> p.getFileName().toString().startsWith("jar-")).toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.walk(cache)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    private Launched launch(String... args) throws IOException {
        return launch(launcher, args);
    }

    private Launched launch(Path script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("THOONK_") || k.equals("XDG_CACHE_HOME"));
        builder.environment().put("THOONK_CACHE", cache.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return new Launched(builder.start());
    }

    /** A jar of {@link LauncherProbe} whose version resource says {@code version}, padded to move every entry. */
    private static byte[] probeJar(String version, int padding) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            out.setLevel(0);
            add(out, "padding.bin", new byte[padding]);
            for (Class<?> type : List.of(LauncherProbe.class, LauncherProbe.Late.class)) {
                String name = type.getName().replace('.', '/') + ".class";
                try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
                    add(out, name, in.readAllBytes());
                }
            }
            add(out, LauncherProbe.VERSION_RESOURCE, version.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void add(JarOutputStream out, String name, byte[] content) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(content);
        out.closeEntry();
    }

    /** A launcher process, its output read as it comes. */
    private static final class Launched {

        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        private final Thread reader;

        Launched(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "launcher-output");
            reader.start();
        }

        void awaitLine(String expected) throws InterruptedException {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (System.nanoTime() < end) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    seen.add(line);
                    if (line.equals(expected)) {
                        return;
                    }
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            process.destroyForcibly();
            fail("no line '" + expected + "' within " + DEADLINE + "; output so far: " + seen);
        }

        /** Writes {@code input} to stdin, closes it, and waits for the process to end. */
        Result finish(String input) throws IOException, InterruptedException {
            try (Writer stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                stdin.write(input);
            }
            if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the launcher did not finish within " + DEADLINE + "; output so far: " + seen + lines);
            }
            reader.join(DEADLINE.toMillis());
            lines.drainTo(seen);
            return new Result(process.exitValue(), List.copyOf(seen));
        }

        record Result(int exitCode, List<String> lines) {
            String out() {
                return String.join("\n", lines.stream().filter(l -> !l.startsWith("options ")).toList());
            }

            @Override
            public String toString() {
                return "exit " + exitCode + ", output " + lines;
            }
        }
    }
}
