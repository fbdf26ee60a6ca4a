package io.thoonk.coordinator.shard;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.CoordinatorException;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinator's connections to Redis nodes, one per address, in one place: checks of roles
 * and replication when a shard is registered, and writes of team fences.
 */
public final class ShardNodes implements AutoCloseable {

    private final RedisClient client = RedisClient.create();
    private final Map<String, StatefulRedisConnection<String, String>> connections = new ConcurrentHashMap<>();
    private final Duration timeout;

    public ShardNodes(Duration timeout) {
        this.timeout = timeout;
    }

    /** Validates a {@code host:port} address. */
    public static String address(String what, String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT,
                    what + " address '" + address + "' is not host:port");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new CoordinatorException(CoordinatorException.Reason.INVALID_ARGUMENT,
                    what + " address '" + address + "' has no valid port");
        }
        return address;
    }

    private RedisCommands<String, String> node(String address) {
        StatefulRedisConnection<String, String> conn = connections.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            RedisURI uri = RedisURI.builder().withHost(a.substring(0, colon))
                    .withPort(Integer.parseInt(a.substring(colon + 1))).withTimeout(timeout).build();
            StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8, uri);
            c.setTimeout(timeout);
            return c;
        });
        return conn.sync();
    }

    /**
     * Checks that {@code primary} answers as a primary and each replica as a replica of it with its
     * replication link up. A replica's primary is the host and port its {@code ROLE} names, compared
     * by resolved address ({@code localhost} and {@code 127.0.0.1} are one host, {@code 127.0.0.2}
     * another). Throws FAILED_PRECONDITION naming the node that is not.
     */
    public void checkShard(String primary, List<String> replicas) {
        List<Object> role = role(primary);
        if (!"master".equals(role.get(0))) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                    "node " + primary + " is not a primary (ROLE says " + role.get(0) + ")");
        }
        int colon = primary.lastIndexOf(':');
        String primaryHost = primary.substring(0, colon);
        int primaryPort = Integer.parseInt(primary.substring(colon + 1));
        for (String replica : replicas) {
            List<Object> r = role(replica);
            if (!"slave".equals(r.get(0))) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                        "node " + replica + " is not a replica (ROLE says " + r.get(0) + ")");
            }
            String masterHost = String.valueOf(r.get(1));
            long masterPort = ((Number) r.get(2)).longValue();
            String state = String.valueOf(r.get(3));
            if (masterPort != primaryPort || !sameHost(masterHost, primaryHost) || !"connected".equals(state)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                        "node " + replica + " replicates " + masterHost + ":" + masterPort + " (" + state
                                + "), not the primary " + primary);
            }
        }
    }

    /** True if the two host names are equal or resolve to a common address. */
    static boolean sameHost(String a, String b) {
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        try {
            List<InetAddress> left = Arrays.asList(InetAddress.getAllByName(a));
            return Arrays.stream(InetAddress.getAllByName(b)).anyMatch(left::contains);
        } catch (UnknownHostException unresolved) {
            return false;
        }
    }

    private List<Object> role(String address) {
        try {
            return node(address).role();
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                    "node " + address + " is not reachable: " + e.getMessage(), e);
        }
    }

    /** Writes a team's fence ({@code thoonk.team:<team>}) on a shard primary. */
    public void writeFence(String primary, TeamFence fence) {
        try {
            node(primary).hset(fence.key(), fence.fields());
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "cannot write the fence of team '" + fence.team() + "' on " + primary + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connections.values().forEach(StatefulRedisConnection::close);
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
