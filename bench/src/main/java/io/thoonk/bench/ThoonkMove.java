package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.thoonk.client.Thoonk;
import io.thoonk.client.ThoonkOptions;
import io.thoonk.proto.CoordinatorChannels;
import io.thoonk.proto.v1.AdminGrpc;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.NodeHealth;
import io.thoonk.proto.v1.PlaceTeamRequest;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.Closer;
import io.thoonk.testing.Deadline;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * This cluster in the move benchmark. Per round (fresh processes, as for {@link MigrateMove}): a
 * {@link LocalCluster} of {@value #COORDINATORS} coordinators and two shards, {@value #SOURCE} and
 * {@value #TARGET}, each a primary and {@value #REPLICAS} replica, as production shards are: the
 * mover waits for the target's replica ({@code WAIT 1}) before it switches, and the client's default
 * durability ({@code AUTO}) waits for the source's replica behind every write, so both costs are in
 * the figures. The team is placed on the source ({@code Admin.PlaceTeam}) before anything is written;
 * the client is {@code Thoonk.connectCluster} with its defaults, so the harness's writes follow the
 * move as users' would (they wait on the frozen team and go to the target after the switch).
 *
 * <p>{@link MoveDeployment#move} is {@code Admin.MoveTeam(team, target)} through a channel over the
 * three coordinators, its {@code MoveProgress} stream read to the last message, which must be
 * {@code MOVE_DONE} (its outcome quoted otherwise); it answers the move's {@code write_pause_millis}.
 * Each phase's first message and the last are printed (phase and elapsed), so a slow move shows where
 * its time went.
 */
final class ThoonkMove implements MoveSystem {

    static final int COORDINATORS = 3;
    static final int REPLICAS = 1;
    static final String SOURCE = "shard-1";
    static final String TARGET = "shard-2";
    /** The ZooKeeper namespace, and so the coordinators' Hazelcast cluster name, of every cluster started here. */
    static final String NAMESPACE = "bench-moves";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** The longest move: past the largest case's (a million-item feed, copied in pages). */
    private static final Duration MOVE_TIMEOUT = Duration.ofMinutes(10);

    @Override
    public String name() {
        return "Thoonk cluster";
    }

    @Override
    public MoveDeployment start(String team) {
        Closer started = new Closer();
        try {
            LocalCluster cluster = started.add(LocalCluster.builder().namespace(NAMESPACE).coordinators(COORDINATORS)
                    .shards(SOURCE, TARGET).replicasPerShard(REPLICAS).start());
            ManagedChannel channel = CoordinatorChannels.open(cluster.coordinators().addresses());
            started.add(closeable(channel));
            AdminGrpc.AdminBlockingStub admin = AdminGrpc.newBlockingStub(channel);
            awaitReady(cluster, admin);
            admin.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .placeTeam(PlaceTeamRequest.newBuilder().setTeam(team).setShardId(SOURCE).build());
            Thoonk client = started.add(Thoonk.connectCluster(cluster.coordinators().addresses(),
                    ThoonkOptions.defaults()));
            return new Deployment(cluster, admin, client, started);
        } catch (RuntimeException | Error e) {
            started.closeAfter(e);
            throw e;
        }
    }

    private static AutoCloseable closeable(ManagedChannel channel) {
        return () -> {
            channel.shutdownNow();
            if (!channel.awaitTermination(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the coordinator channel did not terminate within " + CALL_TIMEOUT);
            }
        };
    }

    /**
     * Waits until the leader sees a majority, both shards {@code SHARD_ACTIVE} with their replica, and
     * every coordinator has probed every node reachable: a move can start and writes are replicated.
     */
    private static void awaitReady(LocalCluster cluster, AdminGrpc.AdminBlockingStub admin) {
        int nodes = cluster.shards().values().stream().mapToInt(s -> s.processes().size()).sum();
        Deadline.await(READY_TIMEOUT, "the cluster did not get ready for a move: " + cluster, () -> {
            try {
                StatusResponse status = admin.withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .status(StatusRequest.getDefaultInstance());
                long reachable = status.getNodesList().stream().filter(NodeHealth::getReachable).count();
                long ready = status.getShardsList().stream()
                        .filter(s -> s.getState() == ShardState.SHARD_ACTIVE && s.getReplicasCount() == REPLICAS)
                        .map(Shard::getId).filter(id -> id.equals(SOURCE) || id.equals(TARGET)).count();
                return status.getQuorum() && ready == 2 && reachable >= (long) COORDINATORS * nodes;
            } catch (StatusRuntimeException notYet) {
                return false;
            }
        });
    }

    /** One round's cluster, admin stub and client. */
    private record Deployment(LocalCluster cluster, AdminGrpc.AdminBlockingStub admin, Thoonk client, Closer owned)
            implements MoveDeployment {

        @Override
        public RedisProcess source() {
            return cluster.shard(SOURCE).primary();
        }

        @Override
        public RedisProcess target() {
            return cluster.shard(TARGET).primary();
        }

        @Override
        public OptionalLong move(String team) {
            Iterator<MoveProgress> stream = admin.withDeadlineAfter(MOVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .moveTeam(MoveTeamRequest.newBuilder().setTeam(team).setTargetShardId(TARGET).build());
            List<String> phases = new ArrayList<>();
            MoveProgress last = null;
            while (stream.hasNext()) {
                MoveProgress p = stream.next();
                if (last == null || p.getPhase() != last.getPhase()) {
                    phases.add(step(p));
                }
                last = p;
            }
            if (last == null) {
                throw new IllegalStateException("MoveTeam of team " + team + " to " + TARGET
                        + " ended without a progress message");
            }
            System.out.printf("    %s: %s; last: %s, objects %d/%d, %,d bytes, write pause %d ms%n", team,
                    String.join(", ", phases), step(last), last.getObjectsCopied(), last.getObjectsTotal(),
                    last.getBytesCopied(), last.getWritePauseMillis());
            if (last.getPhase() != MovePhase.MOVE_DONE) {
                throw new IllegalStateException("MoveTeam of team " + team + " to " + TARGET + " ended "
                        + last.getPhase() + " after " + last.getElapsedMillis() + " ms: " + last.getOutcome());
            }
            return OptionalLong.of(last.getWritePauseMillis());
        }

        private static String step(MoveProgress p) {
            return String.format(Locale.ROOT, "%s@%d ms", p.getPhase().name().replace("MOVE_", ""),
                    p.getElapsedMillis());
        }

        @Override
        public void close() {
            owned.close();
        }
    }
}
