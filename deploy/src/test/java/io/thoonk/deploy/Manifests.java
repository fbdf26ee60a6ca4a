package io.thoonk.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What one {@code helm template} rendered: the text and the objects, with lookups by kind, name
 * and component (the {@code app.kubernetes.io/component} label).
 *
 * @param yaml    the rendered text
 * @param objects every object, in the order rendered
 */
record Manifests(String yaml, List<HasMetadata> objects) {

    static final String COMPONENT = "app.kubernetes.io/component";
    static final String SHARD = "thoonk.io/shard";

    Manifests {
        objects = List.copyOf(objects);
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Objects of a kind that has no typed model here (custom resources). */
    List<HasMetadata> custom(String kind) {
        return objects.stream().filter(o -> Chart.isCustom(o) && kind.equals(o.getKind())).toList();
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
                + "; rendered: " + names(type)));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }

    <T extends HasMetadata> List<String> names(Class<T> type) {
        return all(type).stream().map(o -> o.getMetadata().getName()).toList();
    }

    /** The StatefulSets of a component: coordinator, zookeeper, redis (one per shard). */
    List<StatefulSet> statefulSets(String component) {
        return all(StatefulSet.class).stream()
                .filter(s -> component.equals(s.getMetadata().getLabels().get(COMPONENT))).toList();
    }

    StatefulSet coordinators() {
        return only(statefulSets("coordinator"));
    }

    List<StatefulSet> shards() {
        return statefulSets("redis");
    }

    /**
     * The shard registration Job. Only with {@code registration.helmHook=false}: helm-java's template
     * leaves Helm hooks out of its output (helm's own prints them).
     */
    Job registrationJob() {
        return only(all(Job.class).stream()
                .filter(j -> "admin".equals(j.getMetadata().getLabels().get(COMPONENT))).toList());
    }

    Service service(String name) {
        return named(Service.class, name);
    }

    /** Every pod spec: StatefulSets, Jobs and bare pods (the helm test). */
    List<PodSpec> podSpecs() {
        List<PodSpec> specs = new ArrayList<>();
        all(StatefulSet.class).forEach(s -> specs.add(s.getSpec().getTemplate().getSpec()));
        all(Job.class).forEach(j -> specs.add(j.getSpec().getTemplate().getSpec()));
        all(io.fabric8.kubernetes.api.model.Pod.class).forEach(p -> specs.add(p.getSpec()));
        return specs;
    }

    /** Every container (init containers included) of every pod spec. */
    List<Container> containers() {
        return podSpecs().stream().flatMap(p -> Stream.concat(
                p.getInitContainers() == null ? Stream.empty() : p.getInitContainers().stream(),
                p.getContainers().stream())).toList();
    }

    static Container container(StatefulSet set) {
        return only(set.getSpec().getTemplate().getSpec().getContainers());
    }

    static EnvVar env(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("container " + container.getName() + " has no env " + name
                        + "; it has " + container.getEnv().stream().map(EnvVar::getName).toList()));
    }

    static Optional<EnvVar> findEnv(Container container, String name) {
        return container.getEnv().stream().filter(e -> name.equals(e.getName())).findFirst();
    }

    static <T> T only(List<T> list) {
        if (list.size() != 1) {
            throw new AssertionError("expected exactly one, got " + list.size() + ": " + list);
        }
        return list.get(0);
    }
}
