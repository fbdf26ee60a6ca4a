package io.thoonk.bench;

import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.RedisShard;

import java.io.IOException;
import java.util.BitSet;
import java.util.concurrent.CompletionStage;

/**
 * One round's deployment of a {@link FailoverSystem}: written to by the benchmark's client, faulted,
 * and inspected once it has settled. The benchmark calls {@link #write} from one thread, in sequence
 * order, and the other methods from another one.
 */
interface FailoverTarget extends AutoCloseable {

    /**
     * Sends write number {@code seq} (0, 1, 2, ...: each value once) to the current primary through
     * the system's client, without waiting. The stage completes when the client acknowledges the write
     * as the system promises it (for a Thoonk client with REPLICATED durability: once a replica has it),
     * exceptionally when it is refused, fails or times out (its outcome then is unknown: it may still
     * be applied). Must not block: a client that cannot send now queues the write or fails the stage.
     */
    CompletionStage<?> write(long seq);

    /** {@code kill -9} of the current primary; returns once it is dead. */
    void killPrimary();

    /** SIGSTOP of the current primary. */
    void pausePrimary();

    /** SIGCONT of the primary {@link #pausePrimary} stopped. */
    void resumePrimary();

    /**
     * True once the system has reconfigured after the fault: one primary that its failure detection
     * names, and every live node (the returned old primary included) replicating from it with its link
     * up. Called repeatedly after the fault is over; must answer within a second or so (it may return
     * false when a node does not answer).
     */
    boolean settled();

    /**
     * The sequence numbers of the writes the settled system's primary holds: an acknowledged write
     * missing here is lost. Called once, after {@link #settled} and after the last write completed.
     */
    BitSet stored() throws Exception;

    /**
     * Figures of the round beyond the writer's, e.g. the phases of the failover as the system recorded
     * them (ms from the fault); called once, after {@link #stored}. None unless the system has some.
     */
    default Metrics details() {
        return new Metrics();
    }

    /** Stops the client and every process of the round; idempotent. */
    @Override
    void close();

    /**
     * Whether {@code primary} answers as a primary and every other live process of {@code shard}
     * replicates from it with its link up: the shard has settled after a failover.
     */
    static boolean settledAround(RedisShard shard, RedisProcess primary) throws IOException {
        if (!primary.command("INFO replication").contains("role:master")) {
            return false;
        }
        for (RedisProcess p : shard.processes()) {
            if (p != primary && p.isAlive()) {
                String info = p.command("INFO replication");
                if (!info.contains("role:slave") || !info.contains("master_port:" + primary.port())
                        || !info.contains("master_link_status:up")) {
                    return false;
                }
            }
        }
        return true;
    }
}
