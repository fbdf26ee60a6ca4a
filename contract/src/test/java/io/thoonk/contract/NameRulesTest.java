package io.thoonk.contract;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The name rules answer what is wrong instead of throwing; team parsing and key names agree with them. */
class NameRulesTest {

    @Test
    void answers_what_is_wrong_and_where() {
        assertThat(NameRules.objectName("team:1:news")).isEmpty();
        assertThat(NameRules.objectName(null)).get().extracting(NameViolation::problem)
                .isEqualTo(NameViolation.Problem.NULL);
        assertThat(NameRules.team("")).get().satisfies(v -> {
            assertThat(v.problem()).isEqualTo(NameViolation.Problem.EMPTY);
            assertThat(v.message()).isEqualTo("team name must not be empty");
        });
        assertThat(NameRules.objectName("a b")).get().satisfies(v -> {
            assertThat(v.problem()).isEqualTo(NameViolation.Problem.WHITESPACE);
            assertThat(v.message()).contains("'a b'").contains("index 1");
        });
        assertThat(NameRules.objectName("news*")).get().extracting(NameViolation::problem)
                .isEqualTo(NameViolation.Problem.GLOB_CHARACTER);
        assertThat(NameRules.pattern("news*")).isEmpty();
        assertThat(NameRules.id("an id with spaces")).isEmpty();
        assertThat(NameRules.id("a\0b")).get().extracting(NameViolation::problem)
                .isEqualTo(NameViolation.Problem.NUL_CHARACTER);
        assertThat(NameRules.id("a\u0001b")).get().extracting(NameViolation::problem)
                .isEqualTo(NameViolation.Problem.CONTROL_CHARACTER);
        assertThat(NameRules.objectName("é".repeat(257))).get().satisfies(v -> {
            assertThat(v.problem()).isEqualTo(NameViolation.Problem.TOO_LONG);
            assertThat(v.message()).contains("514 bytes").contains("512");
        });
        assertThat(NameRules.objectName("é".repeat(256))).isEmpty();
    }

    @Test
    void the_standard_team_rule_reads_both_forms() {
        assertThat(StandardTeams.teamIn("team:353:news")).contains("353");
        assertThat(StandardTeams.teamIn("team.353.news")).contains("353");
        assertThat(StandardTeams.teamIn("team:353")).contains("353");
        assertThat(StandardTeams.teamIn("team::news")).isEmpty();
        assertThat(StandardTeams.teamIn("users")).isEmpty();
        assertThat(StandardTeams.teamOf("users", "global")).isEqualTo("global");
        assertThat(StandardTeams.teamInPattern("team:7:*")).contains("7");
        assertThat(StandardTeams.teamInPattern("team:*:news")).isEmpty();
        assertThat(StandardTeams.teamInPattern("team:7")).isEmpty();
    }

    @Test
    void the_index_key_never_collides_with_a_fence_or_contract_key() {
        for (String team : new String[] {"objects", "objects:x", "7", "a.b"}) {
            String index = Keys.teamObjects(team);
            assertThat(index).isNotEqualTo(Keys.fence(team));
            for (String other : new String[] {"objects", "objects:x", "7", "a.b"}) {
                assertThat(index).isNotEqualTo(Keys.fence(other));
            }
            assertThat(index).doesNotStartWith("feed.").doesNotStartWith("job.").isNotEqualTo(Keys.FEEDS);
        }
    }
}
