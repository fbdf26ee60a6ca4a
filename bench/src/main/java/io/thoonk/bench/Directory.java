package io.thoonk.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.testing.ZooKeeperEnsemble;
import io.thoonk.testing.cluster.Coordinators;

/**
 * The directory benchmarks' fixture: a ZooKeeper server in this JVM holding a prefilled directory,
 * and coordinators started on it (the fixture library's {@link ZooKeeperEnsemble} and
 * {@link Coordinators}).
 */
final class Directory implements AutoCloseable {

    static final String NAMESPACE = "bench-directory";

    private final ZooKeeperEnsemble zookeeper;
    private final Coordinators coordinators;
    private final DirectoryPrefill.Result prefill;

    private Directory(ZooKeeperEnsemble zookeeper, DirectoryPrefill.Result prefill) {
        this.zookeeper = zookeeper;
        this.coordinators = Coordinators.create(zookeeper.connectString(), NAMESPACE);
        this.prefill = prefill;
    }

    /** Starts ZooKeeper and prefills a directory of {@code teams} teams. */
    static Directory prefilled(int teams) throws Exception {
        System.out.printf("%n== directory prefill: %,d teams%n", teams);
        ZooKeeperEnsemble zookeeper = ZooKeeperEnsemble.start(1);
        try {
            DirectoryPrefill.Result prefill = DirectoryPrefill.write(zookeeper.connectString(), NAMESPACE, teams);
            System.out.printf("  %s%n", prefill);
            return new Directory(zookeeper, prefill);
        } catch (Exception | Error e) {
            zookeeper.close();
            throw e;
        }
    }

    /** Starts ZooKeeper with an empty directory (no prefill: {@link #prefill()} is null). */
    static Directory empty() {
        return new Directory(ZooKeeperEnsemble.start(1), null);
    }

    DirectoryPrefill.Result prefill() {
        return prefill;
    }

    /** Starts a coordinator on the directory (gRPC on a free loopback port); returns once it is loaded. */
    Coordinator startCoordinator(String id) {
        return coordinators.start(id);
    }

    /** Starts a coordinator and waits until it leads (it is alone, so within the election's first round). */
    Coordinator startLeader(String id) {
        Coordinator c = coordinators.start(id);
        if (coordinators.leader() != c) {
            throw new IllegalStateException("coordinator " + id + " is not alone: " + coordinators + " has another leader");
        }
        return c;
    }

    /** Closes a coordinator started here, and forgets it (so that nothing here keeps its heap). */
    void stop(Coordinator coordinator) {
        coordinators.stop(coordinator);
    }

    /** A new plaintext channel to a coordinator (the caller closes it). */
    static ManagedChannel channel(Coordinator coordinator) {
        return Grpc.newChannelBuilder(coordinator.address(), InsecureChannelCredentials.create()).build();
    }

    @Override
    public void close() {
        try {
            coordinators.close();
        } finally {
            zookeeper.close();
        }
    }
}
