package io.thoonk.coordinator.directory;

import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.ShardState;
import io.thoonk.proto.v1.TeamPlacement;
import io.thoonk.proto.v1.TeamState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The immutable directory view: what a change copies, and what it leaves as it was. */
class DirectoryViewTest {

    static TeamPlacement placement(String team, String shard) {
        return TeamPlacement.newBuilder().setTeam(team).setShardId(shard).setEpoch(1).setState(TeamState.TEAM_ACTIVE)
                .build();
    }

    static Shard shard(String id) {
        return Shard.newBuilder().setId(id).setPrimary(id + ":6379").setEpoch(1).setState(ShardState.SHARD_ACTIVE)
                .setWeight(1).build();
    }

    static DirectoryView directory(int teams) {
        List<TeamPlacement> placed = new ArrayList<>();
        for (int i = 0; i < teams; i++) {
            placed.add(placement("t-" + i, i % 2 == 0 ? "a" : "b"));
        }
        return DirectoryView.of(new DirectorySnapshot(teams + 2, Map.of("a", shard("a"), "b", shard("b")), placed));
    }

    static DirectoryChange teamChange(long revision, TeamPlacement placement) {
        return DirectoryChange.newBuilder().setRevision(revision).setTeam(placement).build();
    }

    @Test
    void a_placement_copies_only_the_bucket_it_touches_and_leaves_the_old_view_as_it_was() {
        DirectoryView before = directory(100_000);
        String team = "newcomer";
        int touched = ZkLayout.bucketOf(team);

        DirectoryView after = before.apply(List.of(teamChange(before.revision() + 1, placement(team, "a"))));

        assertThat(after.revision()).isEqualTo(before.revision() + 1);
        assertThat(after.team(team)).isPresent();
        assertThat(before.team(team)).isEmpty();
        assertThat(after.teamCount()).isEqualTo(100_001);
        assertThat(before.teamCount()).isEqualTo(100_000);
        assertThat(after.teamCount("a")).isEqualTo(before.teamCount("a") + 1);
        assertThat(after.shard("a").orElseThrow().getTeamCount()).isEqualTo(50_001);
        assertThat(before.shard("a").orElseThrow().getTeamCount()).isEqualTo(50_000);
        for (int b = 0; b < ZkLayout.BUCKETS; b++) {
            if (b == touched) {
                assertThat(after.teams().bucket(b)).isNotSameAs(before.teams().bucket(b));
            } else {
                assertThat(after.teams().bucket(b)).as("bucket %d", b).isSameAs(before.teams().bucket(b));
            }
        }
    }

    @Test
    void a_team_moved_between_shards_moves_its_count_and_old_revisions_are_skipped() {
        DirectoryView before = directory(10);
        long rev = before.revision();
        DirectoryView after = before.apply(List.of(
                teamChange(rev, placement("t-0", "b")),  // already applied: skipped
                teamChange(rev + 1, placement("t-0", "b")),
                DirectoryChange.newBuilder().setRevision(rev + 2).setShard(shard("c")).build(),
                DirectoryChange.newBuilder().setRevision(rev + 3).setRemovedShardId("c").build()));

        assertThat(after.revision()).isEqualTo(rev + 3);
        assertThat(after.team("t-0").orElseThrow().getShardId()).isEqualTo("b");
        assertThat(after.teamCount("a")).isEqualTo(4);
        assertThat(after.teamCount("b")).isEqualTo(6);
        assertThat(after.shards()).extracting(Shard::getId).containsExactly("a", "b");
        assertThat(after.teamCount()).isEqualTo(10);
        assertThat(before.apply(List.of(teamChange(rev, placement("t-0", "b"))))).isSameAs(before);
    }
}
