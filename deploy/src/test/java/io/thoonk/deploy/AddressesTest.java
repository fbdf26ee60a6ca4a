package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.thoonk.deploy.Chart.NAMESPACE;
import static io.thoonk.deploy.Chart.PREFIX;
import static io.thoonk.deploy.Manifests.container;
import static io.thoonk.deploy.Manifests.env;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every address a component is given is a stable DNS name of a StatefulSet pod
 * (POD.HEADLESS.NAMESPACE.svc.cluster.local), never a pod IP; the coordinators know each other, one
 * member per replica, and their quorum size is their number.
 */
class AddressesTest {

    private static final String DOMAIN = NAMESPACE + ".svc.cluster.local";
    private static final Pattern IPV4 = Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b");

    @Test
    void coordinators_list_one_member_per_replica_by_stable_name_and_count_all_of_them_for_quorum() {
        for (int replicas : new int[] {1, 3, 5}) {
            Manifests rendered = Chart.defaults().set("coordinator.replicas", replicas).render();
            StatefulSet coordinators = rendered.coordinators();
            Container c = container(coordinators);

            String headless = PREFIX + "-coordinator-headless";
            assertThat(coordinators.getSpec().getReplicas()).isEqualTo(replicas);
            assertThat(coordinators.getSpec().getServiceName()).isEqualTo(headless);
            assertThat(env(c, "THOONK_MEMBERS").getValue().split(",")).containsExactlyElementsOf(
                    IntStream.range(0, replicas).mapToObj(i -> PREFIX + "-coordinator-" + i + "." + headless + "."
                            + DOMAIN + ":5701").toList());
            assertThat(env(c, "THOONK_CLUSTER_SIZE").getValue()).isEqualTo(Integer.toString(replicas));
        }
    }

    @Test
    void each_coordinator_is_named_and_reached_by_its_own_pod_name() {
        Container c = container(Chart.defaults().render().coordinators());

        assertThat(env(c, "POD_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        assertThat(env(c, "THOONK_COORDINATOR_ID").getValue()).isEqualTo("$(POD_NAME)");
        assertThat(env(c, "THOONK_HOST").getValue())
                .isEqualTo("$(POD_NAME)." + PREFIX + "-coordinator-headless." + DOMAIN);
        assertThat(env(c, "THOONK_BIND").getValue()).isEqualTo("0.0.0.0");
        // POD_NAME is defined before the variables that refer to it (Kubernetes expands only earlier ones)
        List<String> names = c.getEnv().stream().map(e -> e.getName()).toList();
        assertThat(names.indexOf("POD_NAME")).isLessThan(names.indexOf("THOONK_HOST"));
    }

    @Test
    void headless_services_publish_pods_before_they_are_ready() {
        Manifests rendered = Chart.defaults().render();
        for (String name : List.of("coordinator-headless", "zookeeper-headless", "redis-headless")) {
            Service service = rendered.service(PREFIX + "-" + name);
            assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
            assertThat(service.getSpec().getPublishNotReadyAddresses()).as(name).isTrue();
        }
    }

    @Test
    void the_bundled_zookeeper_is_reached_by_its_servers_stable_names() {
        Manifests rendered = Chart.defaults().render();
        String headless = PREFIX + "-zookeeper-headless";
        List<String> servers = IntStream.range(0, 3)
                .mapToObj(i -> PREFIX + "-zookeeper-" + i + "." + headless + "." + DOMAIN).toList();

        assertThat(env(container(rendered.coordinators()), "THOONK_ZOOKEEPER").getValue().split(","))
                .containsExactlyElementsOf(servers.stream().map(s -> s + ":2181").toList());
        Container zk = container(Manifests.only(rendered.statefulSets("zookeeper")));
        assertThat(env(zk, "ZOO_SERVERS").getValue().split(" ")).containsExactlyElementsOf(
                IntStream.range(0, 3).mapToObj(i -> "server." + (i + 1) + "=" + servers.get(i) + ":2888:3888;2181")
                        .toList());
        // server N is pod N-1
        assertThat(String.join(" ", zk.getCommand())).contains("ZOO_MY_ID=$(( ${POD_NAME##*-} + 1 ))");
    }

    @Test
    void an_external_zookeeper_replaces_the_bundled_one() {
        Manifests rendered = Chart.defaults().values("external-zookeeper").render();

        assertThat(rendered.statefulSets("zookeeper")).isEmpty();
        Container c = container(rendered.coordinators());
        assertThat(env(c, "THOONK_ZOOKEEPER").getValue()).isEqualTo("zk-0.zk.infra.svc.cluster.local:2181,"
                + "zk-1.zk.infra.svc.cluster.local:2181,zk-2.zk.infra.svc.cluster.local:2181");
        assertThat(env(c, "THOONK_NAMESPACE").getValue()).isEqualTo("thoonk-orders");
        assertThat(rendered.yaml()).doesNotContain("zookeeper-headless");
    }

    @Test
    void each_shard_is_registered_with_its_nodes_stable_names_node_0_first() {
        Manifests rendered = Chart.defaults().values("one-shard-two-replicas").set("registration.helmHook", false)
                .render();
        StatefulSet shard = Manifests.only(rendered.shards());
        Container redis = container(shard);
        String headless = PREFIX + "-redis-headless";
        List<String> nodes = IntStream.range(0, 3)
                .mapToObj(i -> PREFIX + "-shard-0-" + i + "." + headless + "." + DOMAIN + ":6379").toList();

        assertThat(shard.getSpec().getReplicas()).isEqualTo(3);
        assertThat(env(redis, "PRIMARY_HOST").getValue()).isEqualTo(PREFIX + "-shard-0-0." + headless + "." + DOMAIN);
        assertThat(env(redis, "POD_HOST").getValue()).isEqualTo("$(POD_NAME)." + headless + "." + DOMAIN);
        Container job = Manifests.only(rendered.registrationJob().getSpec().getTemplate().getSpec().getContainers());
        List<String> line = new ArrayList<>(List.of("shard-0"));
        line.addAll(nodes);
        assertThat(env(job, "THOONK_SHARDS").getValue()).isEqualTo(String.join(" ", line));
        assertThat(env(job, "THOONK_COORDINATOR").getValue().split(",")).containsExactlyElementsOf(
                IntStream.range(0, 5).mapToObj(i -> PREFIX + "-coordinator-" + i + "." + PREFIX
                        + "-coordinator-headless." + DOMAIN + ":7400").toList());
    }

    @Test
    void the_registration_job_lists_every_shard_one_per_line() {
        Container job = Manifests.only(Chart.defaults().set("redis.shards", 4).set("redis.shardIdPrefix", "s")
                .set("registration.helmHook", false).render().registrationJob().getSpec().getTemplate().getSpec()
                .getContainers());

        List<String> lines = env(job, "THOONK_SHARDS").getValue().lines().toList();
        assertThat(lines).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(lines.get(i).split(" ")).containsExactly("s" + i,
                    PREFIX + "-s" + i + "-0." + PREFIX + "-redis-headless." + DOMAIN + ":6379",
                    PREFIX + "-s" + i + "-1." + PREFIX + "-redis-headless." + DOMAIN + ":6379");
        }
    }

    @Test
    void no_pod_ip_appears_anywhere() {
        for (String values : List.of("external-zookeeper", "one-shard-two-replicas", "existing-secret", "metrics")) {
            String yaml = Chart.defaults().values(values).set("registration.helmHook", false).template();
            List<String> ips = IPV4.matcher(yaml).results().map(r -> r.group())
                    // the wildcard bind address and the probes' own loopback are not addresses of other pods
                    .filter(ip -> !Arrays.asList("0.0.0.0", "127.0.0.1").contains(ip)).toList();
            assertThat(ips).as("IP addresses rendered with %s", values).isEmpty();
            assertThat(yaml).doesNotContain("status.podIP");
        }
    }
}
