package io.thoonk.coordinator.cluster;

import io.thoonk.coordinator.shard.NodeReport;

import java.util.Map;
import java.util.function.Consumer;

/**
 * What the coordinators see of the Redis nodes of every shard: each coordinator probes every node
 * and shares its {@link NodeReport reports} through the coordinators' Hazelcast cluster; this is the
 * combined view, the input of every failover decision.
 *
 * <p>Split-brain protection: a coordinator that does not see a majority of the configured
 * coordinators ({@link io.thoonk.coordinator.CoordinatorConfig#clusterSize}) has no
 * {@link #hasQuorum quorum} and no node is ever {@link #isDown down} for it, so it decides nothing.
 */
public interface NodeHealthView {

    /** True while this coordinator is in a Hazelcast cluster with a majority of the configured coordinators. */
    boolean hasQuorum();

    /**
     * True when a majority of the configured coordinators (their reports, this one's included) have
     * each seen {@code node} unreachable for at least the configured down-after, and this
     * coordinator has quorum.
     */
    boolean isDown(String node);

    /** Every live coordinator's latest report on {@code node}, by coordinator id (empty if none probed it yet). */
    Map<String, NodeReport> reports(String node);

    /**
     * Calls {@code nodeChanged} with a node's address whenever its {@link #isDown} answer changes or
     * a report on it changes reachability, role, primary or link; also when quorum is gained or lost
     * (once per known node). Calls come one at a time, never on a caller's thread.
     */
    void addListener(Consumer<String> nodeChanged);
}
