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
    void a_team_id_holding_a_colon_is_refused_with_the_team_it_probably_meant() {
        assertThat(NameRules.team("team:353:news")).get().satisfies(v -> {
            assertThat(v.problem()).isEqualTo(NameViolation.Problem.TEAM_SEPARATOR);
            assertThat(v.message()).isEqualTo("team name 'team:353:news' contains ':' at index 4; a team id cannot "
                    + "hold ':' (no object name can be in such a team); did you mean '353' (the team of object "
                    + "'team:353:news')?");
        });
        assertThat(NameRules.team("a:b")).get().satisfies(v -> {
            assertThat(v.problem()).isEqualTo(NameViolation.Problem.TEAM_SEPARATOR);
            assertThat(v.message()).doesNotContain("did you mean");
        });
        assertThat(NameRules.team("353")).isEmpty();
        assertThat(NameRules.team("a.b")).isEmpty();
        assertThat(NameRules.objectName("team:353:news")).as("object names may hold colons").isEmpty();
    }

    @Test
    void the_standard_team_rule_never_yields_a_team_id_the_rules_refuse() {
        for (String name : new String[] {"team:353:news", "team.353.news", "team:a.b:x", "team.a:b.news", "team.7:news",
            "team:353", "team.353"}) {
            StandardTeams.teamIn(name).ifPresent(team -> assertThat(NameRules.team(team)).as(name).isEmpty());
        }
        assertThat(StandardTeams.teamIn("team:a.b:x")).contains("a.b");
        assertThat(StandardTeams.teamIn("team.a:b.news")).as("its id would hold a colon").isEmpty();
        assertThat(StandardTeams.teamIn("team.7:news")).isEmpty();
        assertThat(StandardTeams.teamOf("team.a:b.news", "global")).isEqualTo("global");
        assertThat(StandardTeams.teamInPattern("team.a:b.*")).isEmpty();
    }

    @Test
    void the_shard_marker_reads_back_what_it_writes() {
        ShardMarker marker = new ShardMarker("shard-1", "thoonk");
        assertThat(ShardMarker.parse(marker.fields())).contains(marker);
        assertThat(ShardMarker.parse(java.util.Map.of())).isEmpty();
        assertThat(ShardMarker.parse(java.util.Map.of("namespace", "n"))).contains(new ShardMarker("?", "n"));
        assertThat(Keys.SHARD_MARKER).isNotEqualTo(Keys.fence("shard")).doesNotStartWith(Keys.TEAM_OBJECTS_PREFIX);
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
