package io.thoonk.bench;

import java.time.Duration;

/** What the failover benchmark does to a system's primary while a client writes to it. */
enum Fault {

    /** {@code kill -9}: the primary dies at once, its connections close. */
    KILL("kill -9"),
    /**
     * SIGSTOP for {@link #PAUSE_LENGTH}, then SIGCONT: the primary hangs with its connections open
     * (as in a long GC-like stall or a partition that heals) and comes back still believing it is
     * the primary.
     */
    PAUSE("SIGSTOP 4 s, SIGCONT");

    /** How long {@link #PAUSE} keeps the primary stopped: past every detection setting measured. */
    static final Duration PAUSE_LENGTH = Duration.ofSeconds(4);

    private final String label;

    Fault(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
