package io.thoonk.coordinator.shard;

/**
 * Told of every probe a {@link NodeProber} finishes: how long it took and, about once a second,
 * the node's load. It exists for metrics, so they reuse the prober's connections and answers
 * instead of asking the nodes again. Called on the prober's thread: it must return at once.
 */
@FunctionalInterface
public interface ProbeObserver {

    ProbeObserver NONE = (node, nanos, answered, load) -> { };

    /**
     * @param node     the node's address as the directory names it
     * @param nanos    from sending the probe to its answer (or failure); a first probe includes dialling
     * @param answered the node answered in time
     * @param load     the node's memory and operation rate, read by this probe; null when not read this time
     */
    void probed(String node, long nanos, boolean answered, NodeLoad load);
}
