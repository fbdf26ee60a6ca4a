package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.thoonk.deploy.Image.DOCKERFILE;
import static io.thoonk.deploy.Image.ROOT;
import static io.thoonk.deploy.Manifests.container;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image recipe, which cannot be built here (no container engine): its inputs exist, it runs
 * as the user the chart expects, and its launcher really runs the CLI the chart configures.
 */
class ImageTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /**
     * Variables the chart sets ahead of the coordinator code reading them (issue 12, other parts):
     * the Redis password. Listed here so the contract stays visible.
     */
    private static final Set<String> PENDING = Set.of("THOONK_REDIS_PASSWORD");

    @Test
    void the_dockerfile_builds_the_cli_jar_and_runs_the_launcher_as_the_charts_user() throws IOException {
        List<String> lines = Files.readAllLines(DOCKERFILE).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        StatefulSet coordinators = Chart.defaults().render().coordinators();
        long chartUser = coordinators.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();

        assertThat(lines).contains("ARG RUNTIME_IMAGE=eclipse-temurin:17-jre", "ENTRYPOINT [\"/usr/local/bin/thoonk\"]",
                "CMD [\"coordinator\"]", "USER " + chartUser + ":" + chartUser);
        assertThat(lines).anyMatch(l -> l.contains("mvn ") && l.contains("package -pl cli -am"));
        assertThat(lines).anyMatch(l -> l.contains("cp cli/target/thoonk.jar /thoonk.jar"));
        assertThat(Files.readString(ROOT.resolve("cli/pom.xml"))).contains("<finalName>thoonk</finalName>");
        assertThat(lines).contains("COPY --chmod=0755 deploy/docker/thoonk /usr/local/bin/thoonk");
        assertThat(Files.isExecutable(Image.LAUNCHER)).isTrue();
        // the build context keeps the sources, not build output
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .filter(l -> !l.startsWith("#")).toList();
        assertThat(ignored).contains("**/target", ".git").noneMatch(l -> l.startsWith("deploy") || l.contains("pom"));
    }

    @Test
    void the_launcher_runs_the_cli_and_every_variable_the_chart_gives_a_coordinator_is_one_it_reads() {
        Container coordinator = container(Chart.defaults().render().coordinators());
        Shell.Result help = Image.thoonk(TIMEOUT, Map.of(), "coordinator", "--help");

        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(coordinator.getArgs()).startsWith("coordinator");
        for (EnvVar env : coordinator.getEnv()) {
            String name = env.getName();
            if (!name.startsWith("THOONK_") || PENDING.contains(name)) {
                continue;
            }
            if (name.equals("THOONK_JAVA_OPTS")) {
                assertThat(Image.LAUNCHER).content().contains("THOONK_JAVA_OPTS");
            } else {
                assertThat(help.output()).as("`thoonk coordinator --help` documents $%s", name).contains("$" + name);
            }
        }
    }

    @Test
    void the_launcher_says_so_when_the_jar_is_missing() {
        Shell.Result result = Shell.run(TIMEOUT, Image.env(Map.of("THOONK_JAR", "/nonexistent/thoonk.jar")), null,
                List.of(Image.LAUNCHER.toString(), "--help"));

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.output()).contains("/nonexistent/thoonk.jar is missing");
    }

    @Test
    void the_charts_default_image_tag_is_the_chart_app_version() throws IOException {
        String chart = Files.readString(Path.of("helm", "thoonk", "Chart.yaml"));
        String image = container(Chart.defaults().render().coordinators()).getImage();

        assertThat(chart).contains("appVersion: \"0.1.0\"");
        assertThat(image).isEqualTo("thoonk:0.1.0");
        assertThat(container(Chart.defaults().set("image.registry", "registry.example.com").set("image.tag", "1.2.3")
                .render().coordinators()).getImage()).isEqualTo("registry.example.com/thoonk:1.2.3");
    }
}
