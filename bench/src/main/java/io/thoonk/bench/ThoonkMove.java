package io.thoonk.bench;

import java.util.Optional;

/**
 * This cluster in the move benchmark: the plug-in point for the Thoonk side, not measurable until team
 * moves ({@code Admin.MoveTeam}) are on main. Until then the report says {@value #NOT_ON_MAIN} where its
 * figures go.
 *
 * <p>To plug it in (this class only; the harness, report and targets need nothing else): make
 * {@link #notMeasuredBecause()} return empty and {@link #start} return a {@link MoveDeployment} over
 * <ul>
 *   <li>a cluster: {@code LocalCluster.builder().coordinators(3).shards(2).start()} (testing-cluster;
 *       shards {@code shard-1} and {@code shard-2}, no replicas: the source and target primaries are
 *       {@code cluster.shard("shard-1").primary()} and {@code cluster.shard("shard-2").primary()}).
 *       Starting one per round is the simplest (a few seconds); to save that, start it once in this
 *       class, keep it across rounds (close it in {@link #close()}), and alternate which shard is the
 *       source: every round's team id is fresh, and the harness only needs {@code source()} and
 *       {@code target()} to be right for the round;</li>
 *   <li>the team placed on the source before anything is written: {@code Admin.PlaceTeam(team,
 *       source shard id)} through {@code AdminGrpc.newBlockingStub(cluster.coordinators()
 *       .channel(cluster.coordinators().leader()))} with a deadline, so the harness's load goes
 *       there;</li>
 *   <li>the client: {@code Thoonk.connectCluster(cluster.coordinators().addresses(),
 *       ThoonkOptions.defaults())}: the harness loads the team and runs its writer through it, so the
 *       writes follow the move as users' would (they wait on the frozen team and go to the target after
 *       the switch);</li>
 *   <li>{@code move(team)}: {@code AdminGrpc.newBlockingStub(channel).withDeadlineAfter(...)
 *       .moveTeam(MoveTeamRequest{team, target_shard_id})} (a channel over all three coordinators,
 *       {@code io.thoonk.proto.CoordinatorChannels.open(cluster.coordinators().addresses())}), reading
 *       the {@code MoveProgress} stream to its last message; throw unless its phase is
 *       {@code MOVE_DONE} (quote its {@code outcome}); return its {@code write_pause_millis}. The
 *       deadline: generous for the largest case (e.g. 10 minutes); the harness times the call, so the
 *       move time includes the chunked delete of the source's copy ({@code MOVE_CLEANING_UP}), which
 *       must be finished by {@code MOVE_DONE}: the harness checks that the source no longer holds the
 *       feeds the writer did not write to, and that the target holds every item.</li>
 * </ul>
 * Nothing else changes: the harness turns on both primaries' latency monitors itself
 * ({@code CONFIG SET latency-monitor-threshold 1}), runs this system in the same rounds as
 * {@code MIGRATE}, and fills in the figures and the targets.
 */
final class ThoonkMove implements MoveSystem {

    static final String NOT_ON_MAIN = "not measured: team moves not on main yet";

    @Override
    public String name() {
        return "Thoonk cluster";
    }

    @Override
    public Optional<String> notMeasuredBecause() {
        return Optional.of(NOT_ON_MAIN);
    }

    @Override
    public MoveDeployment start(String team) {
        throw new UnsupportedOperationException(name() + " cannot move team " + team + ": " + NOT_ON_MAIN);
    }
}
