package io.thoonk.bench;

/** One benchmark: runs, and returns what it has to say in the report. */
interface Benchmark {

    /** Short name for {@code --only}. */
    String key();

    /** Runs the benchmark; the result writes its section(s) of the report from the figures it keeps. */
    Section run() throws Exception;

    /** A benchmark's part of the report, written once every benchmark has run. */
    @FunctionalInterface
    interface Section {
        void writeTo(Report report);
    }
}
