package io.thoonk.bench;

/**
 * How long and how hard each benchmark runs.
 *
 * @param warmups        unmeasured rounds per variant before the measured ones
 * @param rounds         measured rounds per variant
 * @param publishWindow  asynchronous feed publishes kept in flight
 * @param publishSeconds length of one feed-publish round
 * @param jobWorkers     worker threads of the job benchmark
 * @param jobSeconds     length of one job round
 * @param eventRate      events per second the listener benchmark publishes
 * @param eventSeconds   length of one listener round
 * @param eventRounds    measured rounds of the listener benchmark (both listeners at once in each)
 * @param teams          teams placed in the directory before the directory benchmarks
 * @param coldLoads      coordinator starts measured on that directory
 * @param resolveCallers concurrent threads calling Resolve (and the health-check baseline)
 * @param resolveSeconds length of one Resolve round
 * @param watchStreams   Watch streams open during the fan-out benchmark
 * @param watchChanges   directory changes (new teams) the fan-out benchmark makes, one at a time
 * @param startupRounds  measured rounds of the CLI start-up benchmark (each runs three whole processes)
 * @param failoverRounds rounds of every failover case (each starts fresh processes and faults the primary)
 * @param moveRounds     rounds of every team-move case (each starts fresh processes and moves one team)
 */
record BenchConfig(int warmups, int rounds, int publishWindow, double publishSeconds, int jobWorkers,
                   double jobSeconds, int eventRate, double eventSeconds, int eventRounds, int teams, int coldLoads,
                   int resolveCallers, double resolveSeconds, int watchStreams, int watchChanges,
                   int startupRounds, int failoverRounds, int moveRounds) {

    /** The published figures: about fifteen minutes in all. */
    static BenchConfig standard() {
        return new BenchConfig(2, 6, 64, 2, 8, 2, 10_000, 5, 12, 1_000_000, 3, 10, 2, 100, 200, 15, 5, 3);
    }

    /** A smoke run of a few seconds per benchmark, to check the harness; figures are not meaningful. */
    static BenchConfig quick() {
        return new BenchConfig(1, 2, 64, 0.5, 8, 0.5, 10_000, 1, 2, 20_000, 1, 10, 0.5, 10, 20, 3, 1, 1);
    }
}
