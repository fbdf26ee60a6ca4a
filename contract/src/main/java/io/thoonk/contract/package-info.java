/**
 * The Redis contract every party on a shard agrees on: the client, the coordinator and tools such
 * as the benchmarks. Key and channel names ({@link io.thoonk.contract.Keys}), the Lua scripts that
 * make every operation one atomic step ({@link io.thoonk.contract.Script}), the rules for names
 * ({@link io.thoonk.contract.NameRules}) and teams ({@link io.thoonk.contract.StandardTeams}), the
 * team fence ({@link io.thoonk.contract.TeamFence}) and the per-team object index
 * ({@link io.thoonk.contract.Keys#teamObjects}, {@link io.thoonk.contract.ObjectIndexer}), and how
 * every party authenticates to the nodes ({@link io.thoonk.contract.RedisCredentials}).
 *
 * <p>docs/contract.md specifies the same for other languages. Nothing here throws the client's
 * exception types: checks answer what is wrong, and Redis failures are Lettuce's.
 */
package io.thoonk.contract;
