package io.thoonk.coordinator.migration;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.thoonk.contract.Keys;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.coordinator.shard.ShardNodes;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.Shard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Measures the load of shards and of their teams for a rebalance, on the shards' primaries (over a
 * connection of its own per shard, {@value #CLIENT_NAME} in {@code CLIENT LIST}, closed at the end).
 *
 * <ul>
 *   <li>Every shard: {@code INFO memory} {@code used_memory} and {@code INFO stats}
 *       {@code instantaneous_ops_per_sec}.</li>
 *   <li>{@code MEMORY}: a team's size is estimated from its object index: up to
 *       {@value #SAMPLED_OBJECTS} of its objects ({@code SRANDMEMBER}), each measured with
 *       {@code MEMORY USAGE} of every key an object may have, scaled by the index's size
 *       ({@code SCARD}). At most {@value #MEASURED_TEAMS} teams per shard are measured (the first by
 *       id); the others count as the mean of those.</li>
 *   <li>{@code OPERATIONS}: the shard's rate is shared among its teams in proportion to their writes
 *       during a window of {@code window}: the revision counters of the sampled objects read at its
 *       start and end (every shard in the same window), scaled like sizes. A shard whose teams wrote
 *       nothing in the window shares its rate evenly.</li>
 * </ul>
 *
 * All commands of a shard are pipelined, and every answer is awaited at most the call timeout.
 */
final class LoadMeter {

    static final String CLIENT_NAME = "thoonk-coordinator-rebalance";
    static final int SAMPLED_OBJECTS = 16;
    static final int MEASURED_TEAMS = 2000;

    private static final Logger log = LoggerFactory.getLogger(LoadMeter.class);

    /** A shard's load as measured; {@code teams} in the strategy's unit (1 each for TEAM_COUNT). */
    record Measure(long memoryBytes, double operationsPerSecond, Map<String, Double> teams) {
    }

    private record Sample(long objects, List<String> names) {
    }

    private final ShardNodes nodes;
    private final Duration callTimeout;
    private final Duration window;

    LoadMeter(ShardNodes nodes, Duration callTimeout, Duration window) {
        this.nodes = nodes;
        this.callTimeout = callTimeout;
        this.window = window;
    }

    /**
     * The load of every shard of {@code teams} (shard -> its teams). For TEAM_COUNT a shard that
     * does not answer counts memory and rate 0 (logged); for the other strategies it fails the
     * measurement.
     *
     * @throws CoordinatorException UNAVAILABLE naming the shard whose primary did not answer
     */
    Map<String, Measure> measure(Map<Shard, List<String>> teams, RebalanceStrategy strategy)
            throws InterruptedException {
        Map<String, StatefulRedisConnection<byte[], byte[]>> connections = new LinkedHashMap<>();
        try {
            Map<String, Map<String, Sample>> samples = new HashMap<>();
            Map<String, Map<String, Long>> revisionsBefore = new HashMap<>();
            Map<String, long[]> info = new HashMap<>();
            for (Map.Entry<Shard, List<String>> e : teams.entrySet()) {
                Shard shard = e.getKey();
                StatefulRedisConnection<byte[], byte[]> c;
                try {
                    c = nodes.openBinary(shard.getPrimary(), CLIENT_NAME);
                } catch (CoordinatorException unreachable) {
                    if (strategy == RebalanceStrategy.REBALANCE_TEAM_COUNT) {
                        log.info("rebalance: shard '{}' not measured: {}", shard.getId(), unreachable.getMessage());
                        continue;
                    }
                    throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot measure shard '"
                            + shard.getId() + "': " + unreachable.getMessage(), unreachable);
                }
                connections.put(shard.getId(), c);
                info.put(shard.getId(), info(shard.getId(), c.async()));
                if (strategy != RebalanceStrategy.REBALANCE_TEAM_COUNT) {
                    samples.put(shard.getId(), sample(shard.getId(), c.async(), e.getValue()));
                }
                if (strategy == RebalanceStrategy.REBALANCE_OPERATIONS) {
                    revisionsBefore.put(shard.getId(), revisions(shard.getId(), c.async(), samples.get(shard.getId())));
                }
            }
            long windowStart = System.nanoTime();
            if (strategy == RebalanceStrategy.REBALANCE_OPERATIONS) {
                TimeUnit.MILLISECONDS.sleep(window.toMillis());
            }
            Map<String, Measure> out = new HashMap<>();
            for (Map.Entry<Shard, List<String>> e : teams.entrySet()) {
                String id = e.getKey().getId();
                long[] memoryAndOps = info.getOrDefault(id, new long[2]);
                Map<String, Double> loads = switch (strategy) {
                    case REBALANCE_MEMORY -> sizes(id, connections.get(id).async(), samples.get(id));
                    case REBALANCE_OPERATIONS -> {
                        double seconds = (System.nanoTime() - windowStart) / 1e9;
                        Map<String, Long> after = revisions(id, connections.get(id).async(), samples.get(id));
                        yield shares(samples.get(id), revisionsBefore.get(id), after, seconds, memoryAndOps[1]);
                    }
                    default -> unitLoads(e.getValue());
                };
                out.put(id, new Measure(memoryAndOps[0], memoryAndOps[1], fillIn(e.getValue(), loads)));
            }
            return out;
        } finally {
            connections.values().forEach(StatefulRedisConnection::closeAsync);
        }
    }

    private static Map<String, Double> unitLoads(List<String> teams) {
        Map<String, Double> loads = new HashMap<>();
        teams.forEach(t -> loads.put(t, 1.0));
        return loads;
    }

    /** {@code used_memory} and {@code instantaneous_ops_per_sec}. */
    private long[] info(String shard, RedisAsyncCommands<byte[], byte[]> c) {
        String memory = await(shard, "INFO memory", c.info("memory"));
        String stats = await(shard, "INFO stats", c.info("stats"));
        return new long[]{field(memory, "used_memory:"), field(stats, "instantaneous_ops_per_sec:")};
    }

    private static long field(String info, String prefix) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                return Long.parseLong(line.substring(prefix.length()).trim());
            }
        }
        return 0;
    }

    /** Up to {@value #MEASURED_TEAMS} teams: their object count and up to {@value #SAMPLED_OBJECTS} names. */
    private Map<String, Sample> sample(String shard, RedisAsyncCommands<byte[], byte[]> c, List<String> teams) {
        List<String> measured = teams.subList(0, Math.min(teams.size(), MEASURED_TEAMS));
        Map<String, RedisFuture<Long>> counts = new LinkedHashMap<>();
        Map<String, RedisFuture<List<byte[]>>> names = new HashMap<>();
        for (String team : measured) {
            byte[] index = bytes(Keys.teamObjects(team));
            counts.put(team, c.scard(index));
            names.put(team, c.srandmember(index, SAMPLED_OBJECTS));
        }
        Map<String, Sample> out = new LinkedHashMap<>();
        for (String team : measured) {
            List<String> sampled = await(shard, "SRANDMEMBER", names.get(team)).stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).sorted().toList();
            out.put(team, new Sample(await(shard, "SCARD", counts.get(team)), sampled));
        }
        return out;
    }

    /** Each sampled team's estimated bytes. */
    private Map<String, Double> sizes(String shard, RedisAsyncCommands<byte[], byte[]> c, Map<String, Sample> samples) {
        Map<String, List<RedisFuture<Long>>> asked = new LinkedHashMap<>();
        samples.forEach((team, s) -> {
            List<RedisFuture<Long>> usage = new ArrayList<>();
            for (String name : s.names()) {
                for (String key : keysOf(name)) {
                    usage.add(c.memoryUsage(bytes(key)));
                }
            }
            asked.put(team, usage);
        });
        Map<String, Double> out = new HashMap<>();
        asked.forEach((team, usage) -> {
            long sampledBytes = 0;
            for (RedisFuture<Long> f : usage) {
                Long bytes = await(shard, "MEMORY USAGE", f);
                sampledBytes += bytes == null ? 0 : bytes;
            }
            out.put(team, scaled(samples.get(team), sampledBytes));
        });
        return out;
    }

    private static List<String> keysOf(String name) {
        List<String> keys = new ArrayList<>(List.of(Keys.config(name), Keys.revision(name), Keys.history(name)));
        keys.addAll(List.of(Keys.allData(name)));
        return keys;
    }

    /** The revision counter of every sampled object, by name (0 when it has none). */
    private Map<String, Long> revisions(String shard, RedisAsyncCommands<byte[], byte[]> c,
                                        Map<String, Sample> samples) {
        Map<String, RedisFuture<byte[]>> asked = new LinkedHashMap<>();
        samples.values().forEach(s -> s.names().forEach(n -> asked.put(n, c.get(bytes(Keys.revision(n))))));
        Map<String, Long> out = new HashMap<>();
        asked.forEach((name, f) -> {
            byte[] value = await(shard, "GET", f);
            out.put(name, value == null ? 0 : Long.parseLong(new String(value, StandardCharsets.UTF_8)));
        });
        return out;
    }

    /** The shard's rate shared among its teams by their writes in the window. */
    private static Map<String, Double> shares(Map<String, Sample> samples, Map<String, Long> before,
                                              Map<String, Long> after, double seconds, long shardOps) {
        Map<String, Double> writes = new HashMap<>();
        double total = 0;
        for (Map.Entry<String, Sample> e : samples.entrySet()) {
            long sampled = 0;
            for (String name : e.getValue().names()) {
                sampled += Math.max(0, after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L));
            }
            double rate = scaled(e.getValue(), sampled) / seconds;
            writes.put(e.getKey(), rate);
            total += rate;
        }
        Map<String, Double> out = new HashMap<>();
        for (Map.Entry<String, Double> e : writes.entrySet()) {
            out.put(e.getKey(), total > 0 ? shardOps * e.getValue() / total : (double) shardOps / writes.size());
        }
        return out;
    }

    private static double scaled(Sample s, double sampledAmount) {
        return s.names().isEmpty() ? 0 : sampledAmount * s.objects() / s.names().size();
    }

    /** Teams beyond those measured count as the mean of the measured ones. */
    private static Map<String, Double> fillIn(List<String> teams, Map<String, Double> measured) {
        double mean = measured.values().stream().mapToDouble(Double::doubleValue).average().orElse(0);
        Map<String, Double> out = new HashMap<>();
        teams.forEach(t -> out.put(t, measured.getOrDefault(t, mean)));
        return out;
    }

    private <T> T await(String shard, String what, RedisFuture<T> future) {
        try {
            return future.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "interrupted while measuring shard '"
                    + shard + "'", e);
        } catch (TimeoutException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "the primary of shard '" + shard
                    + "' did not answer " + what + " within " + callTimeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "the primary of shard '" + shard
                    + "' refused " + what + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
