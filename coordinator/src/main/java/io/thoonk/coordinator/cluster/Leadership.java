package io.thoonk.coordinator.cluster;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.thoonk.coordinator.directory.DirectoryException;
import io.thoonk.coordinator.directory.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.Participant;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Which coordinator decides. A Curator {@link LeaderLatch} whose participant id is
 * {@code <coordinator id>@<grpc address>}, so every coordinator can find the leader's address and
 * forward writes to it over one cached channel.
 */
public final class Leadership implements AutoCloseable {

    private final LeaderLatch latch;
    private final String self;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    public Leadership(CuratorFramework zk, String coordinatorId, String address) {
        this.self = coordinatorId + "@" + address;
        this.latch = new LeaderLatch(zk, ZkLayout.LEADER, self, LeaderLatch.CloseMode.NOTIFY_LEADER);
    }

    public void start() throws Exception {
        latch.start();
    }

    /** True while this coordinator holds leadership (false once its ZooKeeper connection is lost). */
    public boolean isLeader() {
        return latch.hasLeadership();
    }

    /** The leader's participant id ({@code id@address}), or empty if none is known. */
    public String leaderId() {
        try {
            Participant leader = latch.getLeader();
            return leader.isLeader() ? leader.getId() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** Waits up to {@code millis} for this coordinator to lead (tests, single-node start). */
    public boolean awaitLeadership(long millis) throws InterruptedException {
        return latch.await(millis, TimeUnit.MILLISECONDS);
    }

    /** A channel to the current leader, to forward a write. */
    public ManagedChannel leaderChannel() {
        String leader = leaderId();
        int at = leader.indexOf('@');
        if (at < 0) {
            throw new DirectoryException(DirectoryException.Reason.UNAVAILABLE,
                    "no coordinator is leader right now (election in progress or ZooKeeper unreachable); retry shortly");
        }
        String address = leader.substring(at + 1);
        return channels.computeIfAbsent(address, a ->
                Grpc.newChannelBuilder(a, InsecureChannelCredentials.create()).build());
    }

    public String self() {
        return self;
    }

    @Override
    public void close() {
        try {
            latch.close();
        } catch (Exception ignored) {
            // closing anyway
        }
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
