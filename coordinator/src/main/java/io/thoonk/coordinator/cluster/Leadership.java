package io.thoonk.coordinator.cluster;

import io.thoonk.coordinator.directory.ZkLayout;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Which coordinator decides. A Curator {@link LeaderLatch} whose participant id is
 * {@code <coordinator id>@<grpc address>}, so every coordinator can find the leader's address (to
 * forward writes to it).
 *
 * <p>Created before the coordinator knows its address (its gRPC server picks the port), and
 * {@link #start started} with it; until then it does not lead and knows no leader. Leadership is
 * lost with the ZooKeeper connection (the latch's default error policy), so a coordinator cut off
 * from ZooKeeper stops deciding.
 */
public final class Leadership implements AutoCloseable {

    private final CuratorFramework zk;
    private volatile LeaderLatch latch;
    private volatile String self = "";
    /** Completed while this coordinator leads; replaced by a fresh one when it stops leading. */
    private volatile CompletableFuture<Void> leading = new CompletableFuture<>();

    public Leadership(CuratorFramework zk) {
        this.zk = zk;
    }

    /** Joins the election as {@code coordinatorId@address}. */
    public synchronized void start(String coordinatorId, String address) throws Exception {
        if (latch != null) {
            throw new IllegalStateException("leadership already started as " + self);
        }
        self = coordinatorId + "@" + address;
        LeaderLatch l = new LeaderLatch(zk, ZkLayout.LEADER, self, LeaderLatch.CloseMode.NOTIFY_LEADER);
        l.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leading.complete(null);
            }

            @Override
            public void notLeader() {
                if (leading.isDone()) {
                    leading = new CompletableFuture<>();
                }
            }
        });
        latch = l;
        l.start();
    }

    /** True while this coordinator holds leadership (false once its ZooKeeper connection is lost). */
    public boolean isLeader() {
        LeaderLatch l = latch;
        return l != null && l.hasLeadership();
    }

    /**
     * Completes when this coordinator leads (at once if it does now). A completed future does not
     * mean it still leads: check {@link #isLeader()}.
     */
    public CompletableFuture<Void> leading() {
        return leading;
    }

    /** The leader's participant id ({@code id@address}), or empty if none is known. */
    public String leaderId() {
        LeaderLatch l = latch;
        if (l == null) {
            return "";
        }
        try {
            Participant leader = l.getLeader();
            return leader.isLeader() ? leader.getId() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /** The current leader's gRPC address, if a leader is known. */
    public Optional<String> leaderAddress() {
        String leader = leaderId();
        int at = leader.indexOf('@');
        return at < 0 ? Optional.empty() : Optional.of(leader.substring(at + 1));
    }

    /** This coordinator's participant id ({@code id@address}); empty before {@link #start}. */
    public String self() {
        return self;
    }

    /** Leaves the election; idempotent. */
    @Override
    public void close() {
        LeaderLatch l = latch;
        if (l == null) {
            return;
        }
        try {
            l.close();
        } catch (IllegalStateException alreadyClosed) {
            // closed before
        } catch (Exception e) {
            // the session ends with the coordinator's Curator client anyway
        }
    }
}
