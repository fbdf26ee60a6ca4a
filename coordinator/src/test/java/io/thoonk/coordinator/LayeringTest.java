package io.thoonk.coordinator;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's packages form layers, nothing pointing back up: read from the compiled
 * classes with the JDK's {@code jdeps}, so every reference counts, imported or not.
 */
class LayeringTest {

    private static final String ROOT = "io.thoonk.coordinator";

    /** Each layer and the layers it may use, besides itself. */
    private static final Map<String, Set<String>> MAY_USE = Map.of(
            "directory", Set.of(),
            "shard", Set.of(),
            "cluster", Set.of("directory", "shard"),
            "placement", Set.of("directory", "shard"),
            "failover", Set.of("cluster", "directory", "placement", "shard"),
            "migration", Set.of("cluster", "directory", "placement", "shard"),
            "metrics", Set.of("directory", "migration", "shard"),
            "grpc", Set.of("cluster", "directory", "placement", "failover", "migration", "shard"),
            "http", Set.of("cluster", "directory", "migration", "shard"));

    /** The only root types the layers may use: the coordinator-wide exception. */
    private static final Set<String> SHARED_ROOT_TYPES = Set.of(
            ROOT + ".CoordinatorException", ROOT + ".CoordinatorException$Reason");

    private static final Pattern DEPENDENCY = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s", Pattern.MULTILINE);

    @Test
    void each_layer_uses_only_the_layers_below_it_and_of_the_root_only_the_exception() throws Exception {
        Path classes = Path.of(Coordinator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() ->
                new AssertionError("this JDK has no jdeps tool"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-filter:none",
                "-e", Pattern.quote(ROOT) + "\\..*", classes.toString());
        assertThat(exit).as("jdeps failed: %s", err).isZero();

        List<String> violations = new ArrayList<>();
        Set<String> layersSeen = new TreeSet<>();
        int dependencies = 0;
        Matcher m = DEPENDENCY.matcher(out.toString());
        while (m.find()) {
            String from = m.group(1);
            String to = m.group(2);
            if (!from.startsWith(ROOT + ".") || !to.startsWith(ROOT + ".")) {
                continue; // jdeps' header line: the archive and its path
            }
            dependencies++;
            String fromLayer = layerOf(from);
            String toLayer = layerOf(to);
            if (fromLayer.isEmpty()) {
                continue; // the root wires every layer
            }
            layersSeen.add(fromLayer);
            if (!MAY_USE.containsKey(fromLayer)) {
                violations.add(from + ": package '" + fromLayer + "' is not a known layer; add it to this test");
            } else if (toLayer.isEmpty() ? !SHARED_ROOT_TYPES.contains(to)
                    : !toLayer.equals(fromLayer) && !MAY_USE.get(fromLayer).contains(toLayer)) {
                violations.add(from + " -> " + to);
            }
        }
        assertThat(dependencies).as("dependencies found by jdeps").isGreaterThan(50);
        assertThat(layersSeen).containsExactlyInAnyOrderElementsOf(MAY_USE.keySet());
        assertThat(violations).as("references that point up or sideways").isEmpty();
    }

    /** {@code directory} for {@code io.thoonk.coordinator.directory.X}, empty for a root type. */
    private static String layerOf(String className) {
        String rest = className.substring(ROOT.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? "" : rest.substring(0, dot);
    }
}
