package io.thoonk.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the running {@code thoonk dev} cluster is, so that commands given no target use it: a small
 * JSON file with the coordinators' addresses and the pid of the process that runs them.
 *
 * <p>{@code thoonk dev} writes it once the cluster is up (atomically: a temporary file moved into
 * place) and removes it when it stops, if it is still its own (a later {@code thoonk dev} may have
 * replaced it). A record whose process is gone (killed before it could remove it), or whose pid now
 * belongs to another process, or that cannot be read, is stale: {@link #find()} ignores and deletes it.
 *
 * <p>Its place ({@link #location()}): the system property {@value #LOCATION_PROPERTY}, else the
 * environment variable {@value #LOCATION_ENV}, else {@code $XDG_RUNTIME_DIR/thoonk/dev.json}, else
 * {@code ~/.thoonk/dev.json}. Tests set the property, so they never touch the real one.
 *
 * @param coordinators the coordinators' {@code host:port} addresses
 * @param pid          the process running the cluster
 * @param processStart when that process started (its pid may be reused later), or null if unknown
 */
record LocalClusterRecord(List<String> coordinators, long pid, String processStart) {

    /** System property naming the record's file; first choice. */
    static final String LOCATION_PROPERTY = "thoonk.dev.record";
    /** Environment variable naming the record's file, when the property is not set. */
    static final String LOCATION_ENV = "THOONK_DEV_RECORD";

    /** Fields a later version may add are ignored, not a reason to call the record unreadable. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    LocalClusterRecord {
        coordinators = List.copyOf(coordinators);
    }

    /** The record of this process running coordinators at {@code coordinators}. */
    static LocalClusterRecord ofThisProcess(List<String> coordinators) {
        ProcessHandle self = ProcessHandle.current();
        return new LocalClusterRecord(coordinators, self.pid(),
                self.info().startInstant().map(Instant::toString).orElse(null));
    }

    /** Where the record is kept. */
    static Path location() {
        String property = System.getProperty(LOCATION_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property.trim());
        }
        String env = System.getenv(LOCATION_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env.trim());
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime, "thoonk", "dev.json");
        }
        return Path.of(System.getProperty("user.home"), ".thoonk", "dev.json");
    }

    /** The running local cluster's record, if there is one; a stale record is deleted. */
    static Optional<LocalClusterRecord> find() {
        Path path = location();
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        LocalClusterRecord record;
        try {
            record = JSON.readValue(path.toFile(), LocalClusterRecord.class);
        } catch (IOException | RuntimeException unreadable) {
            deleteQuietly(path);
            return Optional.empty();
        }
        if (record.coordinators() == null || record.coordinators().isEmpty() || !record.isAlive()) {
            deleteQuietly(path);
            return Optional.empty();
        }
        return Optional.of(record);
    }

    /** Whether the recorded process still runs (the same process: same pid and start time). */
    boolean isAlive() {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return false;
        }
        Optional<Instant> started = process.get().info().startInstant();
        return processStart == null || started.isEmpty() || started.get().toString().equals(processStart);
    }

    /**
     * Records this cluster at {@link #location()}, replacing any earlier record. Returns a handle
     * whose {@code close()} removes the record if it is still this one.
     *
     * @throws IOException if the record cannot be written
     */
    Written write() throws IOException {
        Path path = location().toAbsolutePath();
        Path dir = path.getParent();
        createPrivateDirectory(dir);
        Path temporary = Files.createTempFile(dir, ".dev-", ".json.tmp");
        try {
            JSON.writeValue(temporary.toFile(), this);
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return new Written(path, this);
    }

    /** A description for messages: {@code the local cluster of ./thoonk dev (pid 123, recorded in PATH)}. */
    String describe() {
        return "the local cluster of ./thoonk dev (pid " + pid + ", recorded in " + location() + ")";
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException raced) {
            // created meanwhile
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a record that cannot be deleted is ignored all the same
        }
    }

    /** A written record; {@link #close()} removes it if it is still this one. Idempotent. */
    static final class Written implements AutoCloseable {
        private final Path path;
        private final LocalClusterRecord record;
        private boolean closed;

        private Written(Path path, LocalClusterRecord record) {
            this.path = path;
            this.record = record;
        }

        /** The record's file. */
        Path path() {
            return path;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (Objects.equals(JSON.readValue(path.toFile(), LocalClusterRecord.class), record)) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | RuntimeException gone) {
                // removed or replaced meanwhile: not ours to remove
            }
        }
    }
}
