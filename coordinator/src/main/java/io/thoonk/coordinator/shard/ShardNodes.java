package io.thoonk.coordinator.shard;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.thoonk.contract.Keys;
import io.thoonk.contract.ObjectIndexer;
import io.thoonk.contract.RedisConnections;
import io.thoonk.contract.RedisCredentials;
import io.thoonk.contract.ShardMarker;
import io.thoonk.contract.TeamFence;
import io.thoonk.coordinator.CoordinatorException;
import io.thoonk.proto.ConnectionFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The coordinator's connections to Redis nodes, one per address, in one place: checks of roles,
 * replication and run ids when a shard is registered, the shard marker, writes of team fences,
 * the one-off indexing of a shard's objects, and the replication commands of failovers
 * ({@code INFO replication}, {@code REPLICAOF}, {@code CONFIG SET min-replicas-*}, {@code CLIENT PAUSE}).
 *
 * <p>A connection that breaks is not reconnected in the background: the next call opens a new one,
 * and a call on a node that is down fails at once instead of waiting in a reconnect queue, so a
 * returning node is reached as soon as it listens again.
 *
 * <p>Every connection authenticates with the coordinator's {@link RedisCredentials}; a node that
 * refuses them fails the call with words that say so ({@code shard node h:p refused our
 * credentials (WRONGPASS, user 'default'): check ...}), never as merely unreachable.
 */
public final class ShardNodes implements AutoCloseable {

    /** The name ({@code CLIENT SETNAME}) of the connection an indexing run uses, as Redis lists it. */
    public static final String INDEXER_CLIENT_NAME = "thoonk-coordinator-indexer";

    private static final Logger log = LoggerFactory.getLogger(ShardNodes.class);
    /** Beyond its deadline, how long a blocking caller waits for answers that time out on their own. */
    private static final Duration DEADLINE_SLACK = Duration.ofMillis(100);

    private final RedisClient client = RedisClient.create();
    private final Map<String, CompletableFuture<StatefulRedisConnection<String, String>>> connections =
            new ConcurrentHashMap<>();
    private final Duration timeout;
    private final RedisCredentials credentials;
    private final CredentialRefusals refusals;

    /** Without credentials: for nodes without a password. @param timeout of connecting to a node and of each command on it */
    public ShardNodes(Duration timeout) {
        this(timeout, RedisCredentials.none());
    }

    /**
     * @param timeout     of connecting to a node and of each command on it
     * @param credentials what every connection authenticates with
     */
    public ShardNodes(Duration timeout, RedisCredentials credentials) {
        this.timeout = timeout;
        this.credentials = java.util.Objects.requireNonNull(credentials, "credentials == null");
        this.refusals = new CredentialRefusals(credentials);
        client.setOptions(ClientOptions.builder().autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build()).build());
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
        try {
            return connection(address).get(timeout.toMillis(), TimeUnit.MILLISECONDS).sync();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisException("no connection within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException("interrupted while connecting to " + address);
        }
    }

    /**
     * The one connection to {@code address}, opened asynchronously on first use, so many nodes can
     * be asked at once; a failed connect is forgotten, and the next call tries again.
     */
    private CompletableFuture<StatefulRedisConnection<String, String>> connection(String address) {
        CompletableFuture<StatefulRedisConnection<String, String>> known = connections.get(address);
        if (known != null && known.isDone() && !known.isCompletedExceptionally() && !known.join().isOpen()) {
            connections.remove(address, known);
        }
        CompletableFuture<StatefulRedisConnection<String, String>> c = connections.computeIfAbsent(address, a ->
                RedisConnections.open(() -> client.connectAsync(StringCodec.UTF8, uri(a).build())).thenApply(conn -> {
                    conn.setTimeout(timeout);
                    return conn;
                }));
        c.whenComplete((conn, error) -> {
            if (error != null) {
                connections.remove(address, c);
            }
        });
        return c;
    }

    private RedisURI.Builder uri(String address) {
        int colon = address.lastIndexOf(':');
        return credentials.applyTo(RedisURI.builder().withHost(address.substring(0, colon))
                .withPort(Integer.parseInt(address.substring(colon + 1))).withTimeout(timeout));
    }

    /**
     * A new connection, opened within the call timeout, every command on it answered within it too.
     *
     * @throws RedisException when it cannot be opened, with the reason as its cause
     */
    private <K, V> StatefulRedisConnection<K, V> connect(RedisCodec<K, V> codec, RedisURI uri) {
        CompletableFuture<StatefulRedisConnection<K, V>> opening =
                RedisConnections.open(() -> client.connectAsync(codec, uri));
        StatefulRedisConnection<K, V> c;
        try {
            c = opening.get(timeout.plus(DEADLINE_SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RedisException r ? r : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            opening.thenAccept(StatefulRedisConnection::closeAsync);
            throw new RedisException("no connection within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            opening.thenAccept(StatefulRedisConnection::closeAsync);
            throw new RedisException("interrupted while connecting to " + uri.getHost() + ":" + uri.getPort());
        }
        c.setTimeout(timeout);
        return c;
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

    /**
     * True if the two {@code host:port} addresses name one node: the same port, and host names that
     * are equal or resolve to a common address ({@code localhost:6379} and {@code 127.0.0.1:6379}).
     */
    public static boolean sameNode(String a, String b) {
        int ca = a.lastIndexOf(':');
        int cb = b.lastIndexOf(':');
        return a.substring(ca + 1).equals(b.substring(cb + 1)) && sameHost(a.substring(0, ca), b.substring(0, cb));
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
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, refusals.sentence(address, e)
                    .orElse("node " + address + " is not reachable: " + e.getMessage()), e);
        }
    }

    /**
     * The run id of the node at {@code address} ({@code INFO server}, field {@code run_id}): one
     * Redis process, whatever name or port it is reached by.
     *
     * @throws CoordinatorException FAILED_PRECONDITION when the node cannot be reached or does not say
     */
    public String runId(String address) {
        try {
            return runIdIn(address, node(address).info("server"));
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION,
                    "cannot read the run id of node " + address + ": " + describe(e), e);
        }
    }

    /**
     * The run ids of those of {@code addresses} that answer within the call timeout, all asked at
     * once (so a few nodes that are down cost one timeout, not one each); a node that does not
     * answer is left out.
     */
    public Map<String, String> runIds(Collection<String> addresses) {
        Map<String, CompletableFuture<String>> asked = new LinkedHashMap<>();
        for (String address : addresses) {
            asked.put(address, connection(address).thenCompose(c -> c.async().info("server").toCompletableFuture())
                    .thenApply(info -> runIdIn(address, info)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> answered = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<String>> e : asked.entrySet()) {
            try {
                answered.put(e.getKey(), e.getValue().get(Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                        "interrupted while reading the run ids of shard nodes", interrupted);
            } catch (ExecutionException | TimeoutException | RuntimeException failed) {
                log.info("node {} did not tell its run id within {} ms: {}", e.getKey(), timeout.toMillis(),
                        failed instanceof ExecutionException x ? describe(x.getCause()) : failed.toString());
            }
        }
        return answered;
    }

    private static String runIdIn(String address, String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("run_id:")) {
                return line.substring("run_id:".length()).trim();
            }
        }
        throw new RedisException("INFO server of " + address + " has no run_id");
    }

    /**
     * Marks the Redis at {@code primary} as a shard of this cluster ({@link ShardMarker}); its
     * replicas get the mark by replication.
     *
     * @throws CoordinatorException UNAVAILABLE when the write fails
     */
    public void writeMarker(String primary, ShardMarker marker) {
        try {
            node(primary).hset(Keys.SHARD_MARKER, marker.fields());
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot mark " + primary
                    + " as shard '" + marker.shard() + "': " + describe(e), e);
        }
    }

    /**
     * Removes the shard marker from {@code primary} if it names {@code shard} (a mark another shard
     * id wrote there since is left alone).
     *
     * @throws CoordinatorException UNAVAILABLE when the node cannot be read or written
     */
    public void removeMarker(String primary, String shard) {
        try {
            RedisCommands<String, String> node = node(primary);
            if (shard.equals(node.hget(Keys.SHARD_MARKER, ShardMarker.SHARD_FIELD))) {
                node.del(Keys.SHARD_MARKER);
            }
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot remove the shard marker "
                    + Keys.SHARD_MARKER + " of shard '" + shard + "' from " + primary + ": " + describe(e), e);
        }
    }

    /** Writes a team's fence ({@code thoonk.team:<team>}) on a shard primary. */
    public void writeFence(String primary, TeamFence fence) {
        try {
            node(primary).hset(fence.key(), fence.fields());
        } catch (RuntimeException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "cannot write the fence of team '" + fence.team() + "' on " + primary + ": " + describe(e), e);
        }
    }

    /**
     * A new binary connection to {@code primary} for copying a team ({@code CLIENT SETNAME}
     * {@code name}), after checking the node answers as a primary; every command on it answered
     * within the call timeout. The caller closes it.
     *
     * @throws CoordinatorException UNAVAILABLE when it cannot be reached, FAILED_PRECONDITION when it
     *                              is not a primary
     */
    public StatefulRedisConnection<byte[], byte[]> openBinary(String primary, String name) {
        StatefulRedisConnection<byte[], byte[]> c;
        try {
            c = connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE, uri(primary).withClientName(name).build());
        } catch (RedisException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot reach the primary " + primary
                    + ": " + describe(e), e);
        }
        try {
            Object role = c.sync().role().get(0);
            if (!"master".equals(new String((byte[]) role, java.nio.charset.StandardCharsets.UTF_8))) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "node " + primary
                        + " is not a primary; the directory may lag a change of primary: retry shortly");
            }
            return c;
        } catch (RuntimeException e) {
            c.closeAsync();
            if (e instanceof CoordinatorException) {
                throw e;
            }
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "cannot ask the primary " + primary
                    + " its role: " + describe(e), e);
        }
    }

    /**
     * Puts every object on the shard whose primary is {@code primary} into its team's object index
     * ({@link ObjectIndexer}: for data that predates the index, or that original Thoonk peers
     * wrote), after checking that the node answers as a primary. Runs on the calling thread over a
     * connection of its own ({@value #INDEXER_CLIENT_NAME} in {@code CLIENT LIST}), closed at the
     * end, so a long run never delays fence writes; every
     * Redis call of it is answered within the call timeout or fails. {@code progress} gets the
     * indexer's reports, one per page; a consumer that throws stops the run between pages and its
     * exception propagates unchanged. Running it again is harmless.
     *
     * @param teamOf the deployment's team rule: object name to team id
     * @return the final counts
     * @throws CoordinatorException UNAVAILABLE naming the primary when it cannot be reached or a call
     *                              fails or times out; FAILED_PRECONDITION when it is not a primary
     */
    public ObjectIndexer.Progress indexObjects(String primary, Function<String, String> teamOf,
                                               Consumer<ObjectIndexer.Progress> progress) {
        StatefulRedisConnection<String, String> connection;
        try {
            connection = connect(StringCodec.UTF8, uri(primary).withClientName(INDEXER_CLIENT_NAME).build());
        } catch (RedisException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "cannot reach the primary " + primary + " to index its objects: " + describe(e), e);
        }
        try {
            Object role = connection.sync().role().get(0);
            if (!"master".equals(role)) {
                throw new CoordinatorException(CoordinatorException.Reason.FAILED_PRECONDITION, "node " + primary
                        + " is not a primary (ROLE says " + role + "); the directory may lag a change of "
                        + "primary: retry shortly");
            }
            return new ObjectIndexer(teamOf).indexShard(connection, progress);
        } catch (RedisException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "indexing the objects on "
                    + primary + " failed: " + e.getMessage() + "; the pages done are kept and running it again "
                    + "is harmless", e);
        } finally {
            closeWithin(connection);
        }
    }

    private void closeWithin(StatefulRedisConnection<String, String> connection) {
        try {
            connection.closeAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing a connection to Redis did not finish within {} ms: {}", timeout.toMillis(), e.toString());
        }
    }

    /**
     * Asks every node of {@code nodes} for {@code INFO replication} at once and waits at most
     * {@code deadline} in all; a node that does not answer in time is in the result as
     * {@link NodeReplication#unreachable unreachable}, with the reason.
     */
    public Map<String, NodeReplication> replication(Collection<String> nodes, Duration deadline) {
        try {
            return replicationAsync(nodes, deadline).get(deadline.plus(DEADLINE_SLACK).toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "interrupted while asking Redis nodes about their replication", interrupted);
        } catch (ExecutionException | TimeoutException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "asking " + nodes
                    + " about their replication failed: " + describe(e instanceof ExecutionException ? e.getCause() : e), e);
        }
    }

    /**
     * Like {@link #replication(Collection, Duration)} without waiting: the answers complete within
     * {@code deadline}, every node in the map (those that did not answer in time as unreachable),
     * so a caller never waits on a node that hangs.
     */
    public CompletableFuture<Map<String, NodeReplication>> replicationAsync(Collection<String> nodes,
                                                                             Duration deadline) {
        Map<String, CompletableFuture<NodeReplication>> asked = new LinkedHashMap<>();
        for (String node : nodes) {
            asked.computeIfAbsent(node, n -> {
                CompletableFuture<String> info;
                try {
                    info = send(n, c -> c.info("replication"));
                } catch (RuntimeException e) {
                    info = CompletableFuture.failedFuture(e);
                }
                return info.orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS).handle((text, error) -> {
                    if (error == null) {
                        return NodeReplication.parse(n, text);
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    return NodeReplication.unreachable(n, cause instanceof TimeoutException
                            ? "no answer within " + deadline.toMillis() + " ms" : describe(cause));
                });
            });
        }
        return CompletableFuture.allOf(asked.values().toArray(CompletableFuture[]::new)).thenApply(all -> {
            Map<String, NodeReplication> answers = new LinkedHashMap<>();
            asked.forEach((node, answer) -> answers.put(node, answer.join()));
            return answers;
        });
    }

    /** {@code INFO replication} of one node, within {@code deadline} (unreachable if it does not answer). */
    public NodeReplication replication(String node, Duration deadline) {
        return replication(List.of(node), deadline).get(node);
    }

    /**
     * {@code REPLICAOF NO ONE}: makes {@code node} a primary (a no-op on one that is).
     *
     * @throws CoordinatorException UNAVAILABLE naming the node when it does not answer OK within {@code deadline}
     */
    public void replicaOfNoOne(String node, Duration deadline) {
        ask(node, "REPLICAOF NO ONE", deadline, RedisAsyncCommands::replicaofNoOne);
    }

    /**
     * {@code REPLICAOF host port}: makes {@code node} follow {@code primary} (a no-op when it does).
     *
     * @throws CoordinatorException UNAVAILABLE naming the node when it does not answer OK within {@code deadline}
     */
    public void replicaOf(String node, String primary, Duration deadline) {
        int colon = primary.lastIndexOf(':');
        String host = primary.substring(0, colon);
        int port = Integer.parseInt(primary.substring(colon + 1));
        ask(node, "REPLICAOF " + host + " " + port, deadline, c -> c.replicaof(host, port));
    }

    /**
     * {@code REPLICAOF primary} on every one of {@code nodes} at once, waiting at most
     * {@code deadline} in all; returns the nodes that answered OK, and logs why the others did not.
     */
    public List<String> replicaOf(Collection<String> nodes, String primary, Duration deadline) {
        int colon = primary.lastIndexOf(':');
        String host = primary.substring(0, colon);
        int port = Integer.parseInt(primary.substring(colon + 1));
        Map<String, CompletableFuture<String>> asked = new LinkedHashMap<>();
        nodes.forEach(node -> asked.put(node, send(node, c -> c.replicaof(host, port))));
        long end = System.nanoTime() + deadline.toNanos();
        List<String> done = new java.util.ArrayList<>();
        for (Map.Entry<String, CompletableFuture<String>> e : asked.entrySet()) {
            try {
                e.getValue().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                done.add(e.getKey());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                        "interrupted while pointing replicas at " + primary, interrupted);
            } catch (TimeoutException | ExecutionException failed) {
                log.info("node {} did not take REPLICAOF {} within {} ms (done when it answers again): {}",
                        e.getKey(), primary, deadline.toMillis(), failed instanceof ExecutionException x
                                ? describe(x.getCause()) : "no answer");
            }
        }
        return done;
    }

    /**
     * The node's {@code min-replicas-to-write} and {@code min-replicas-max-lag} (seconds), in that
     * order, without waiting: completes within {@code deadline}, exceptionally with a
     * {@link CoordinatorException} (UNAVAILABLE, naming the node) when it does not answer.
     */
    public CompletableFuture<long[]> minReplicasAsync(String node, Duration deadline) {
        CompletableFuture<Map<String, String>> answer;
        try {
            answer = send(node, c -> c.configGet("min-replicas-to-write", "min-replicas-max-lag"));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS).handle((config, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, cause instanceof TimeoutException
                        ? "node " + node + " did not answer CONFIG GET min-replicas-* within " + deadline.toMillis()
                        + " ms" : "node " + node + " refused CONFIG GET min-replicas-*: " + describe(cause), cause);
            }
            try {
                return new long[]{Long.parseLong(config.get("min-replicas-to-write")),
                        Long.parseLong(config.get("min-replicas-max-lag"))};
            } catch (RuntimeException e) {
                throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE, "node " + node
                        + " answered CONFIG GET min-replicas-* with " + config, e);
            }
        });
    }

    /**
     * {@code CONFIG SET min-replicas-to-write n min-replicas-max-lag s}: with {@code n} = 1 the
     * node refuses writes (NOREPLICAS) while no replica has acknowledged it within the last
     * {@code s} seconds; with 0 it always takes them.
     *
     * @throws CoordinatorException UNAVAILABLE naming the node when it does not answer OK within {@code deadline}
     */
    public void setMinReplicas(String node, int minReplicas, long maxLagSeconds, Duration deadline) {
        ask(node, "CONFIG SET min-replicas-to-write " + minReplicas + " min-replicas-max-lag " + maxLagSeconds,
                deadline, c -> c.configSet(Map.of("min-replicas-to-write", Integer.toString(minReplicas),
                        "min-replicas-max-lag", Long.toString(maxLagSeconds))));
    }

    /**
     * {@code CLIENT PAUSE ms WRITE}: the node holds back every write (and expiry) for {@code pause},
     * answering reads; clients' writes wait, then run (or, on a node that has become a replica meanwhile,
     * fail READONLY). A pause already longer is kept.
     *
     * @throws CoordinatorException UNAVAILABLE naming the node when it does not answer OK within {@code deadline}
     */
    public void pauseWrites(String node, Duration pause, Duration deadline) {
        ask(node, "CLIENT PAUSE " + pause.toMillis() + " WRITE", deadline, c -> c.dispatch(CommandType.CLIENT,
                new StatusOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(pause.toMillis()).add("WRITE")));
    }

    /**
     * {@code CLIENT UNPAUSE}: ends a {@link #pauseWrites pause} (a no-op when there is none).
     *
     * @throws CoordinatorException UNAVAILABLE naming the node when it does not answer OK within {@code deadline}
     */
    public void unpause(String node, Duration deadline) {
        ask(node, "CLIENT UNPAUSE", deadline, c -> c.dispatch(CommandType.CLIENT,
                new StatusOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).add("UNPAUSE")));
    }

    private <T> CompletableFuture<T> send(String node,
                                          Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        return connection(node).thenCompose(c -> command.apply(c.async()).toCompletableFuture());
    }

    private <T> T ask(String node, String what, Duration deadline,
                      Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        try {
            return send(node, command).get(deadline.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "interrupted while sending " + what + " to " + node, e);
        } catch (TimeoutException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "node " + node + " did not answer " + what + " within " + deadline.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new CoordinatorException(CoordinatorException.Reason.UNAVAILABLE,
                    "node " + node + " refused " + what + ": " + describe(e.getCause()), e.getCause());
        }
    }

    /**
     * Why a node did not answer, in a few words ({@code Connection refused}), not Netty's exception
     * text; a refusal of the credentials says so and what to check.
     */
    private String describe(Throwable error) {
        return refusals.phrase(error).map(p -> "it " + p).orElseGet(() -> ConnectionFailures.reason(error));
    }

    @Override
    public void close() {
        connections.values().forEach(c -> c.thenAccept(StatefulRedisConnection::closeAsync));
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
