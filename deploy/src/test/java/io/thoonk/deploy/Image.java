package io.thoonk.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The image's {@code thoonk} command (deploy/docker/thoonk) on this machine, running the CLI's fat
 * jar that the reactor built (cli/target/thoonk.jar, what the Dockerfile copies into the image).
 */
final class Image {

    /** The repository root (the module's working directory is {@code deploy/}). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("deploy/docker/thoonk");
    static final Path DOCKERFILE = ROOT.resolve("deploy/Dockerfile");

    private Image() {
    }

    /** The fat jar; fails saying how to build it when it is missing. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("thoonk.jar", ROOT.resolve("cli/target/thoonk.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: build the CLI with the reactor, e.g. "
                    + "mvn -B -ntp verify -pl deploy -am");
        }
        return jar;
    }

    /** The environment the launcher runs with here: the jar, a quick JIT (these are one-shot commands). */
    static Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new HashMap<>();
        env.put("THOONK_JAR", jar().toString());
        env.put("THOONK_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        env.put("THOONK_REDIS", "");
        env.put("THOONK_COORDINATOR", "");
        env.putAll(more);
        return env;
    }

    /** Runs {@code thoonk ARGS} through the launcher. */
    static Shell.Result thoonk(Duration timeout, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        return Shell.run(timeout, env(env), null, command);
    }
}
