package io.thoonk.coordinator.shard;

import java.util.Map;

/**
 * A node's load as {@code INFO memory} and {@code INFO stats} tell it.
 *
 * @param usedMemoryBytes {@code used_memory}
 * @param maxMemoryBytes  {@code maxmemory} (0: no limit)
 * @param opsPerSecond    {@code instantaneous_ops_per_sec}
 */
public record NodeLoad(long usedMemoryBytes, long maxMemoryBytes, long opsPerSecond) {

    static NodeLoad of(Map<String, String> info) {
        return new NodeLoad(NodeProber.number(info.get("used_memory")), NodeProber.number(info.get("maxmemory")),
                NodeProber.number(info.get("instantaneous_ops_per_sec")));
    }
}
