package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.thoonk.deploy.Manifests.container;
import static io.thoonk.deploy.Manifests.env;
import static io.thoonk.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

/** The coordinators' metrics port, the optional ServiceMonitor and PrometheusRule. */
class MonitoringTest {

    @Test
    void by_default_coordinators_serve_metrics_but_no_prometheus_operator_object_is_created() {
        Manifests rendered = Chart.defaults().render();
        Container c = container(rendered.coordinators());

        assertThat(env(c, "THOONK_HTTP_PORT").getValue()).isEqualTo("9400");
        assertThat(c.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("metrics");
            assertThat(p.getContainerPort()).isEqualTo(9400);
        });
        assertThat(rendered.custom("ServiceMonitor")).isEmpty();
        assertThat(rendered.custom("PrometheusRule")).isEmpty();
    }

    @Test
    void with_metrics_disabled_coordinators_run_no_http_server_and_declare_no_metrics_port() {
        Container c = container(Chart.defaults().set("metrics.enabled", false).render().coordinators());

        assertThat(env(c, "THOONK_HTTP_PORT").getValue()).isEqualTo("-1");
        assertThat(c.getPorts()).noneSatisfy(p -> assertThat(p.getName()).isEqualTo("metrics"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_service_monitor_scrapes_the_metrics_port_of_the_coordinators_metrics_service() {
        Manifests rendered = Chart.defaults().values("metrics").render();
        Service metrics = rendered.service(Chart.PREFIX + "-coordinator-metrics");
        GenericKubernetesResource monitor = (GenericKubernetesResource) only(rendered.custom("ServiceMonitor"));

        assertThat(only(metrics.getSpec().getPorts()).getPort()).isEqualTo(9500);
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        Map<String, Object> endpoint = only((List<Map<String, Object>>) spec.get("endpoints"));
        assertThat(endpoint).containsEntry("port", "metrics").containsEntry("path", "/metrics");
        Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector"))
                .get("matchLabels");
        assertThat(metrics.getMetadata().getLabels()).containsAllEntriesOf(selector);
        // only the coordinators' metrics service matches: not the gRPC or headless ones
        assertThat(rendered.all(Service.class)).filteredOn(s -> s.getMetadata().getLabels().entrySet()
                .containsAll(selector.entrySet())).containsExactly(metrics);
        assertThat(env(container(rendered.coordinators()), "THOONK_HTTP_PORT").getValue()).isEqualTo("9500");
    }

    @Test
    @SuppressWarnings("unchecked")
    void the_prometheus_rule_has_the_alerts_the_operations_guide_explains() throws Exception {
        HasMetadata rule = only(Chart.defaults().values("metrics").render().custom("PrometheusRule"));
        Map<String, Object> spec = (Map<String, Object>) ((GenericKubernetesResource) rule).getAdditionalProperties()
                .get("spec");
        List<Map<String, Object>> rules = (List<Map<String, Object>>) only(
                (List<Map<String, Object>>) spec.get("groups")).get("rules");
        String guide = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "operations.md"));

        assertThat(rules).extracting(r -> r.get("alert")).contains("ThoonkCoordinatorDown",
                "ThoonkCoordinatorQuorumLost", "ThoonkRedisNodeDown", "ThoonkShardWithoutReplica");
        for (Map<String, Object> r : rules) {
            String alert = (String) r.get("alert");
            assertThat(guide).as("docs/operations.md explains %s", alert).contains("`" + alert + "`");
            assertThat((String) r.get("expr")).as(alert)
                    .contains("namespace=\"" + Chart.NAMESPACE + "\", job=\"" + Chart.PREFIX + "-coordinator-metrics\"");
        }
        // quorum of the default 3 coordinators is 2
        assertThat(rules).filteredOn(r -> "ThoonkCoordinatorQuorumLost".equals(r.get("alert")))
                .singleElement().satisfies(r -> assertThat((String) r.get("expr")).contains("< 2"));
    }

    @Test
    void metrics_can_be_scraped_only_from_the_peers_given() {
        NetworkPolicy policy = Chart.defaults().values("metrics").render()
                .named(NetworkPolicy.class, Chart.PREFIX + "-coordinator");

        assertThat(policy.getSpec().getIngress()).anySatisfy(rule -> {
            assertThat(only(rule.getPorts()).getPort().getIntVal()).isEqualTo(9500);
            assertThat(only(rule.getFrom()).getNamespaceSelector().getMatchLabels())
                    .containsEntry("kubernetes.io/metadata.name", "monitoring");
        });
    }
}
