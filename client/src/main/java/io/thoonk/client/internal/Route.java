package io.thoonk.client.internal;

/**
 * Where a team's objects are right now: the shard's connections, and the team epoch that write
 * scripts send so the shard's fence can refuse a stale route (0 = send none, for a single Redis).
 */
record Route(ShardConnection shard, long epoch) {

    /** ARGV[3] of the scripts. */
    String epochArgument() {
        return epoch <= 0 ? "" : Long.toString(epoch);
    }
}
