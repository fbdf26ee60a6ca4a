package io.thoonk.contract;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fence value: its hash fields both ways, and the rule the scripts apply. */
class TeamFenceTest {

    @Test
    void writes_the_fields_the_scripts_read_and_parses_them_back() {
        TeamFence fence = TeamFence.active("353", 4);

        assertThat(fence.key()).isEqualTo("thoonk.team:353");
        assertThat(fence.fields()).containsExactly(Map.entry("state", "active"), Map.entry("epoch", "4"));
        assertThat(TeamFence.parse("353", fence.fields())).contains(fence);
        assertThat(TeamFence.parse("353", Map.of("state", "moved", "epoch", "5")))
                .contains(new TeamFence("353", TeamFence.State.MOVED, 5));
        assertThat(fence.withState(TeamFence.State.FROZEN).fields()).containsEntry("state", "frozen")
                .containsEntry("epoch", "4");
    }

    @Test
    void no_hash_is_no_fence_and_a_missing_epoch_reads_as_zero() {
        assertThat(TeamFence.parse("1", Map.of())).isEmpty();
        assertThat(TeamFence.parse("1", Map.of("state", "frozen"))).contains(new TeamFence("1", TeamFence.State.FROZEN, 0));
    }

    @Test
    void the_capture_field_of_a_move_is_no_part_of_the_fence() {
        assertThat(TeamFence.parse("1", Map.of("state", "frozen", "epoch", "2", TeamFence.CAPTURE_FIELD, "1")))
                .contains(new TeamFence("1", TeamFence.State.FROZEN, 2));
        assertThat(TeamFence.parse("1", Map.of(TeamFence.CAPTURE_FIELD, "1"))).as("no state: no fence").isEmpty();
        assertThat(TeamFence.active("1", 2).fields()).doesNotContainKey(TeamFence.CAPTURE_FIELD);
    }

    @Test
    void admits_what_the_scripts_admit() {
        TeamFence active = TeamFence.active("t", 3);
        assertThat(active.admits(3)).isTrue();
        assertThat(active.admits(0)).as("no epoch sent (single-shard client)").isTrue();
        assertThat(active.admits(2)).isFalse();
        assertThat(active.withState(TeamFence.State.FROZEN).admits(3)).isFalse();
        assertThat(active.withState(TeamFence.State.MOVED).admits(0)).isFalse();
    }

    @Test
    void a_hash_no_party_writes_is_rejected_with_what_is_wrong() {
        assertThatThrownBy(() -> TeamFence.parse("t", Map.of("state", "paused", "epoch", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("thoonk.team:t")
                .hasMessageContaining("'paused'");
        assertThatThrownBy(() -> TeamFence.parse("t", Map.of("state", "active", "epoch", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch 'x'");
        assertThatThrownBy(() -> TeamFence.active("a b", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whitespace");
        assertThatThrownBy(() -> TeamFence.active("t", -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
