package io.thoonk.bench;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.thoonk.coordinator.Coordinator;
import io.thoonk.coordinator.CoordinatorConfig;
import org.apache.curator.test.TestingServer;

import java.util.concurrent.TimeUnit;

/**
 * The directory benchmarks' fixture: a ZooKeeper server in this JVM holding a prefilled directory,
 * and coordinators started on it.
 */
final class Directory implements AutoCloseable {

    static final String NAMESPACE = "bench-directory";

    private final TestingServer zookeeper;
    private final DirectoryPrefill.Result prefill;

    private Directory(TestingServer zookeeper, DirectoryPrefill.Result prefill) {
        this.zookeeper = zookeeper;
        this.prefill = prefill;
    }

    /** Starts ZooKeeper and prefills a directory of {@code teams} teams. */
    static Directory prefilled(int teams) throws Exception {
        System.out.printf("%n== directory prefill: %,d teams%n", teams);
        TestingServer zookeeper = new TestingServer(true);
        try {
            DirectoryPrefill.Result prefill = DirectoryPrefill.write(zookeeper.getConnectString(), NAMESPACE, teams);
            System.out.printf("  %s%n", prefill);
            return new Directory(zookeeper, prefill);
        } catch (Exception | Error e) {
            zookeeper.close();
            throw e;
        }
    }

    /** Starts ZooKeeper with an empty directory (no prefill: {@link #prefill()} is null). */
    static Directory empty() throws Exception {
        return new Directory(new TestingServer(true), null);
    }

    DirectoryPrefill.Result prefill() {
        return prefill;
    }

    /** Starts a coordinator on the directory (gRPC on a free loopback port); returns once it is loaded. */
    Coordinator startCoordinator(String id) throws Exception {
        return Coordinator.start(CoordinatorConfig.builder(zookeeper.getConnectString()).id(id).namespace(NAMESPACE)
                .grpcPort(0).build());
    }

    /** Starts a coordinator and waits until it leads (it is alone, so within the election's first round). */
    Coordinator startLeader(String id) throws Exception {
        Coordinator c = startCoordinator(id);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.isLeader()) {
            if (System.nanoTime() > deadline) {
                c.close();
                throw new IllegalStateException("coordinator " + id + " did not become leader within 30 s");
            }
            Thread.sleep(20);
        }
        return c;
    }

    /** A plaintext channel to a coordinator. */
    static ManagedChannel channel(Coordinator coordinator) {
        return Grpc.newChannelBuilder(coordinator.address(), InsecureChannelCredentials.create()).build();
    }

    @Override
    public void close() throws Exception {
        zookeeper.close();
    }
}
