package io.thoonk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Temporary directories and free loopback ports for the fixtures' servers. */
final class LocalFiles {

    private LocalFiles() {
    }

    /** A new directory {@code /tmp/<prefix>NNNN}. */
    static Path temporaryDirectory(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new FixtureException("cannot create a temporary directory " + prefix + "*: " + e, e);
        }
    }

    /** Deletes {@code dir} and everything in it; true if it is gone afterwards. */
    static boolean deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a file vanished while walking, or cannot be read: checked below
        }
        return !Files.exists(dir);
    }

    /** A port of {@code host} (a local address) nothing listens on right now. */
    static int freePort(String host) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new FixtureException("no free port on " + host + ": " + e, e);
        }
    }
}
