package io.thoonk.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The program {@link LauncherTest} packs into a jar and runs through the {@code thoonk} launcher in
 * place of the CLI: prints the JVM's options and "ready", waits for a line (or the end) of stdin,
 * then reads a resource and loads a class from its jar, as a running CLI does lazily.
 */
public final class LauncherProbe {

    static final String VERSION_RESOURCE = "probe-version.txt";

    private LauncherProbe() {
    }

    public static void main(String[] args) throws IOException {
        String[] options = ProcessHandle.current().info().arguments().orElse(new String[0]);
        System.out.println("options " + String.join(" ", options));
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        try (InputStream in = LauncherProbe.class.getResourceAsStream("/" + VERSION_RESOURCE)) {
            System.out.println("version " + new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        System.out.println(Late.message());
    }

    /** Loaded only after the wait. */
    static final class Late {
        static String message() {
            return "late class loaded";
        }
    }
}
