package io.thoonk.bench;

import io.thoonk.client.ThoonkOptions;
import io.thoonk.testing.Deadline;

import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * One round of the failover benchmark: fresh processes of one {@link FailoverSystem}, a
 * {@link PacedWriter} at {@link #RATE} writes/s, one {@link Fault} of the primary once a second of
 * writes has been acknowledged, then the writer keeps going until the system has
 * {@linkplain FailoverTarget#settled() settled} and acknowledged a write issued after that; then the
 * final primary's contents are compared with what was acknowledged.
 *
 * <p>Figures (ms from the fault): {@link #RESUME}, the first acknowledgement of a write issued after
 * the fault that the final primary holds (writes issued before the fault and acknowledged late do not
 * count, nor do acknowledgements from a stale primary whose writes are then dropped);
 * {@link #FIRST_ACK}, the same for any acknowledgement; {@link #SETTLED}; and counts of writes,
 * acknowledgements, failures (refused or timed out: outcome unknown) and {@link #LOST} acknowledged
 * writes missing from the final primary; then the system's own {@linkplain FailoverTarget#details() details}.
 */
final class FailoverRound {

    /** Writes per second: the scenario (a client publishing 2,000 items/s to one team). */
    static final int RATE = 2_000;
    /** Deadline of every write, the same for every system: the Thoonk client's default call deadline. */
    static final Duration WRITE_TIMEOUT = ThoonkOptions.DEFAULT_COMMAND_TIMEOUT;

    static final String RESUME = "resume ms";
    static final String FIRST_ACK = "first ack ms";
    static final String SETTLED = "settled ms";
    static final String WRITES = "writes";
    static final String ACKED = "acked";
    static final String FAILED = "failed/timed out";
    static final String LOST = "lost acked";

    private static final Duration BEFORE_FAULT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration AFTER_SETTLE_TIMEOUT = Duration.ofSeconds(20);
    /** Room for the longest round: the timeouts above, the pause, and the drain, at {@link #RATE}. */
    private static final int CAPACITY = 240 * RATE;

    private FailoverRound() {
    }

    static Metrics run(FailoverSystem system, Duration detection, Fault fault) throws Exception {
        try (FailoverTarget target = system.start(detection)) {
            PacedWriter writer = new PacedWriter(target, RATE, CAPACITY);
            writer.start();
            long faultAt;
            long settledAt;
            try {
                writer.awaitAcked(RATE, BEFORE_FAULT_TIMEOUT, system.name() + " did not acknowledge " + RATE
                        + " writes before the fault");
                faultAt = inject(target, fault);
                Deadline.await(SETTLE_TIMEOUT, system.name() + " did not settle after " + fault.label(),
                        target::settled);
                settledAt = System.nanoTime();
                writer.awaitAckedAfter(writer.issued() - 1, AFTER_SETTLE_TIMEOUT, system.name()
                        + " acknowledged no write issued after it settled");
            } finally {
                writer.stop();
            }
            writer.awaitCompleted(WRITE_TIMEOUT.plusSeconds(5));
            Metrics figures = figures(writer, target.stored(), faultAt, settledAt);
            target.details().asMap().forEach(figures::put);
            return figures;
        }
    }

    /**
     * Injects the fault; returns when it took effect (the primary is dead, or has been sent SIGSTOP):
     * the time writes count from. Writes issued before that may still have reached the old primary.
     */
    private static long inject(FailoverTarget target, Fault fault) throws InterruptedException {
        switch (fault) {
            case KILL -> {
                target.killPrimary();
                return System.nanoTime();
            }
            case PAUSE -> {
                target.pausePrimary();
                long stopped = System.nanoTime();
                try {
                    // the fault itself lasts this long; nothing is waited for here
                    TimeUnit.NANOSECONDS.sleep(Fault.PAUSE_LENGTH.toNanos());
                } finally {
                    target.resumePrimary();
                }
                return stopped;
            }
            default -> throw new IllegalArgumentException("unknown fault " + fault);
        }
    }

    private static Metrics figures(PacedWriter writer, BitSet stored, long faultAt, long settledAt) {
        int writes = writer.issued();
        long firstAck = Long.MAX_VALUE;
        long firstDurable = Long.MAX_VALUE;
        int lost = 0;
        for (int i = 0; i < writes; i++) {
            long ack = writer.ackedAt(i);
            if (ack == 0) {
                continue;
            }
            boolean kept = stored.get(i);
            if (!kept) {
                lost++;
            }
            if (writer.issuedAt(i) > faultAt) {
                firstAck = Math.min(firstAck, ack);
                if (kept) {
                    firstDurable = Math.min(firstDurable, ack);
                }
            }
        }
        return new Metrics()
                .put(RESUME, sinceFault(firstDurable, faultAt))
                .put(FIRST_ACK, sinceFault(firstAck, faultAt))
                .put(SETTLED, sinceFault(settledAt, faultAt))
                .put(WRITES, writes)
                .put(ACKED, writer.acknowledged())
                .put(FAILED, writer.failed())
                .put(LOST, lost);
    }

    private static double sinceFault(long at, long faultAt) {
        return at == Long.MAX_VALUE ? Double.NaN : (at - faultAt) / 1e6;
    }
}
