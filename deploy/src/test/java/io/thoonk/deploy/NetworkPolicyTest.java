package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.thoonk.deploy.Chart.PREFIX;
import static io.thoonk.deploy.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

/** Who may reach what: Redis only from coordinators, Redis and clients; the cluster port only from coordinators. */
class NetworkPolicyTest {

    private static final Map<String, String> CLIENTS = Map.of("thoonk-client", "true");

    @Test
    void redis_is_reached_only_by_coordinators_other_nodes_and_clients() {
        NetworkPolicy redis = Chart.defaults().render().named(NetworkPolicy.class, PREFIX + "-redis");

        assertThat(redis.getSpec().getPodSelector().getMatchLabels()).containsEntry(Manifests.COMPONENT, "redis");
        NetworkPolicyIngressRule rule = only(redis.getSpec().getIngress());
        assertThat(only(rule.getPorts()).getPort().getIntVal()).isEqualTo(6379);
        assertThat(rule.getFrom()).extracting(NetworkPolicyTest::describe)
                .containsExactly("component=coordinator", "component=redis", "clients in the release namespace");
    }

    @Test
    void the_coordinators_cluster_port_is_reached_only_by_coordinators() {
        NetworkPolicy coordinators = Chart.defaults().render().named(NetworkPolicy.class, PREFIX + "-coordinator");

        NetworkPolicyIngressRule cluster = coordinators.getSpec().getIngress().stream()
                .filter(r -> only(r.getPorts()).getPort().getIntVal() == 5701).findFirst().orElseThrow();
        assertThat(cluster.getFrom()).extracting(NetworkPolicyTest::describe).containsExactly("component=coordinator");
        NetworkPolicyIngressRule grpc = coordinators.getSpec().getIngress().stream()
                .filter(r -> only(r.getPorts()).getPort().getIntVal() == 7400).findFirst().orElseThrow();
        assertThat(grpc.getFrom()).extracting(NetworkPolicyTest::describe)
                .containsExactly("component=coordinator", "component=admin", "clients in the release namespace");
    }

    @Test
    void clients_may_be_selected_in_other_namespaces_and_added() {
        NetworkPolicy redis = Chart.defaults()
                .set("networkPolicy.clients.namespaceSelector.matchLabels.team", "web")
                .set("networkPolicy.extraClients[0].ipBlock.cidr", "10.20.0.0/16")
                .render().named(NetworkPolicy.class, PREFIX + "-redis");

        List<NetworkPolicyPeer> from = only(redis.getSpec().getIngress()).getFrom();
        assertThat(from.get(2).getPodSelector().getMatchLabels()).isEqualTo(CLIENTS);
        assertThat(from.get(2).getNamespaceSelector().getMatchLabels()).isEqualTo(Map.of("team", "web"));
        assertThat(from.get(3).getIpBlock().getCidr()).isEqualTo("10.20.0.0/16");
    }

    @Test
    void zookeeper_is_reached_only_by_coordinators_and_its_own_servers() {
        NetworkPolicy zk = Chart.defaults().render().named(NetworkPolicy.class, PREFIX + "-zookeeper");

        assertThat(zk.getSpec().getIngress()).hasSize(2);
        assertThat(zk.getSpec().getIngress().get(0).getFrom()).extracting(NetworkPolicyTest::describe)
                .containsExactly("component=coordinator", "component=zookeeper");
        assertThat(zk.getSpec().getIngress().get(1).getFrom()).extracting(NetworkPolicyTest::describe)
                .containsExactly("component=zookeeper");
    }

    @Test
    void policies_can_be_turned_off() {
        assertThat(Chart.defaults().set("networkPolicy.enabled", false).render().all(NetworkPolicy.class)).isEmpty();
    }

    private static String describe(NetworkPolicyPeer peer) {
        Map<String, String> labels = peer.getPodSelector().getMatchLabels();
        if (labels.equals(CLIENTS)) {
            return peer.getNamespaceSelector() == null ? "clients in the release namespace" : "clients elsewhere";
        }
        assertThat(peer.getNamespaceSelector()).isNull();
        assertThat(labels).containsEntry("app.kubernetes.io/instance", Chart.RELEASE);
        return "component=" + labels.get(Manifests.COMPONENT);
    }
}
