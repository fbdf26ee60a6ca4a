package io.thoonk.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The chart {@code helm/thoonk}, rendered by Helm itself (helm-java embeds Helm 3.21 as a native
 * library: no helm binary, nothing downloaded) with values files from {@code src/test/resources/values}
 * and {@code --set} values, and read back as Kubernetes objects (fabric8's model). Rendering goes
 * through the chart's values.schema.json exactly as {@code helm install} does.
 */
final class Chart {

    /** The release every test renders. */
    static final String RELEASE = "demo";
    static final String NAMESPACE = "apps";
    /** Resource name prefix of {@link #RELEASE} (the release name plus the chart name). */
    static final String PREFIX = RELEASE + "-thoonk";

    /** The Kubernetes version rendered for (the chart needs 1.27+, for gRPC probes). */
    static final String KUBE_VERSION = "1.31.0";

    private static final Path CHART = Path.of("helm", "thoonk");
    private static final Path VALUES = Path.of("src", "test", "resources", "values");
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private final List<String> valuesFiles = new ArrayList<>();
    private final Map<String, Object> sets = new LinkedHashMap<>();

    private Chart() {
    }

    /** The chart with its default values. */
    static Chart defaults() {
        return new Chart();
    }

    /** The chart's directory (the module's working directory is {@code deploy/}). */
    static Path directory() {
        if (!Files.isDirectory(CHART)) {
            throw new IllegalStateException("no chart at " + CHART.toAbsolutePath() + "; run the tests from deploy/");
        }
        return CHART;
    }

    /** Adds {@code src/test/resources/values/NAME.yaml}. */
    Chart values(String name) {
        Path file = VALUES.resolve(name + ".yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no values file " + file.toAbsolutePath());
        }
        valuesFiles.add(name);
        return this;
    }

    /** Adds {@code --set key=value}. */
    Chart set(String key, Object value) {
        sets.put(Objects.requireNonNull(key, "key == null"), Objects.requireNonNull(value, "value == null"));
        return this;
    }

    /** {@code helm template}'s output. @throws IllegalStateException with Helm's message when it fails */
    String template() {
        TemplateCommand template = new Helm(directory()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (String name : valuesFiles) {
            template = template.withValuesFile(VALUES.resolve(name + ".yaml"));
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return template.call();
    }

    /** The rendered objects, hooks and test pods included. */
    Manifests render() {
        String yaml = template();
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8)));
            if (!(parsed instanceof HasMetadata object)) {
                throw new AssertionError("not a Kubernetes object: " + document);
            }
            objects.add(object);
        }
        return new Manifests(yaml, objects);
    }

    /** The message Helm fails with. @throws AssertionError if rendering succeeds */
    String failure() {
        try {
            template();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        throw new AssertionError("rendering with " + valuesFiles + " " + sets + " succeeded; it should have failed");
    }

    /** {@code helm lint --strict} of the chart with its default values. */
    static LintResult lintStrict() {
        return new Helm(directory()).lint().strict().call();
    }

    /** Whether {@code object} is a custom resource (no typed model here), e.g. a ServiceMonitor. */
    static boolean isCustom(HasMetadata object) {
        return object instanceof GenericKubernetesResource;
    }
}
