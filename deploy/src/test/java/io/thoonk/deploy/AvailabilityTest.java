package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.thoonk.deploy.Manifests.SHARD;
import static io.thoonk.deploy.Manifests.container;
import static io.thoonk.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What keeps the cluster up through node failures, drains and restarts: a shard's nodes never share
 * a node, every StatefulSet has a PodDisruptionBudget, coordinators are probed through gRPC health,
 * and every container has resource requests and limits.
 */
class AvailabilityTest {

    /** The values files the tests render, "" for the defaults. */
    @ParameterizedTest(name = "values: {0}")
    @ValueSource(strings = {"", "external-zookeeper", "one-shard-two-replicas", "existing-secret", "metrics"})
    void a_shards_pods_may_never_share_a_node(String values) {
        for (StatefulSet shard : render(values).shards()) {
            String id = shard.getSpec().getTemplate().getMetadata().getLabels().get(SHARD);
            assertThat(id).as("shard label of %s", shard.getMetadata().getName()).isNotBlank();
            Affinity affinity = shard.getSpec().getTemplate().getSpec().getAffinity();
            PodAffinityTerm term = only(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution());
            assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            Map<String, String> selected = term.getLabelSelector().getMatchLabels();
            assertThat(selected).containsEntry(SHARD, id)
                    .containsEntry(Manifests.COMPONENT, "redis")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
            // the term selects exactly this shard's pods
            assertThat(shard.getSpec().getSelector().getMatchLabels()).isEqualTo(selected);
        }
    }

    @Test
    void shard_anti_affinity_can_be_relaxed_to_preferred() {
        for (StatefulSet shard : Chart.defaults().set("redis.podAntiAffinity", "soft").render().shards()) {
            Affinity affinity = shard.getSpec().getTemplate().getSpec().getAffinity();
            assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).isEmpty();
            assertThat(only(affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                    .getPodAffinityTerm().getLabelSelector().getMatchLabels())
                    .containsEntry(SHARD, shard.getMetadata().getLabels().get(SHARD));
        }
    }

    @ParameterizedTest(name = "values: {0}")
    @ValueSource(strings = {"", "external-zookeeper", "one-shard-two-replicas"})
    void every_stateful_set_has_a_disruption_budget_selecting_exactly_its_pods(String values) {
        Manifests rendered = render(values);
        List<StatefulSet> sets = rendered.all(StatefulSet.class);
        assertThat(sets).hasSize(1 + (values.equals("external-zookeeper") ? 0 : 1)
                + (values.equals("one-shard-two-replicas") ? 1 : 3));
        for (StatefulSet set : sets) {
            PodDisruptionBudget pdb = rendered.named(PodDisruptionBudget.class, set.getMetadata().getName());
            assertThat(pdb.getSpec().getSelector().getMatchLabels())
                    .isEqualTo(set.getSpec().getSelector().getMatchLabels());
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        }
        assertThat(rendered.all(PodDisruptionBudget.class)).hasSameSizeAs(sets);
    }

    @Test
    void coordinators_are_probed_through_grpc_health_on_the_grpc_port() {
        Manifests rendered = Chart.defaults().set("coordinator.grpcPort", 7500).render();
        Container coordinator = container(rendered.coordinators());

        assertThat(coordinator.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("grpc");
            assertThat(p.getContainerPort()).isEqualTo(7500);
        });
        for (Probe probe : List.of(coordinator.getStartupProbe(), coordinator.getReadinessProbe())) {
            assertThat(probe.getGrpc().getPort()).isEqualTo(7500);
            assertThat(probe.getGrpc().getService()).as("the server's overall health").isNull();
        }
        // alive while the port accepts connections: a ZooKeeper outage (NOT_SERVING) must not restart them
        assertThat(coordinator.getLivenessProbe().getTcpSocket().getPort().getIntVal()).isEqualTo(7500);
        assertThat(rendered.coordinators().getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    }

    @ParameterizedTest(name = "values: {0}")
    @ValueSource(strings = {"", "external-zookeeper", "one-shard-two-replicas", "metrics"})
    void every_container_has_resource_requests_and_limits(String values) {
        Manifests rendered = Chart.defaults().values(values.isEmpty() ? "existing-secret" : values)
                .set("registration.helmHook", false).render();
        assertThat(rendered.containers()).hasSizeGreaterThanOrEqualTo(3);
        for (Container c : rendered.containers()) {
            assertThat(c.getResources().getRequests()).as("requests of %s", c.getName()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getLimits()).as("limits of %s", c.getName()).containsKeys("cpu", "memory");
        }
    }

    @Test
    void every_pod_runs_as_a_non_root_user_without_privilege_escalation() {
        Manifests rendered = Chart.defaults().set("registration.helmHook", false).render();
        rendered.podSpecs().forEach(p -> assertThat(p.getSecurityContext().getRunAsNonRoot()).isTrue());
        rendered.containers().forEach(c -> {
            assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(c.getSecurityContext().getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
        });
    }

    private static Manifests render(String values) {
        Chart chart = Chart.defaults();
        return (values.isEmpty() ? chart : chart.values(values)).render();
    }
}
