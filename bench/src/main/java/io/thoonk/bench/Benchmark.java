package io.thoonk.bench;

/** One benchmark: runs its comparison, then writes its section of the report from the rounds. */
interface Benchmark {

    /** Short name for {@code --only}. */
    String key();

    Comparison run() throws Exception;

    void report(Report report, Comparison rounds);
}
