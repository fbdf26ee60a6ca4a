package io.thoonk.client;

import io.thoonk.contract.StandardTeams;

import java.util.Optional;

/**
 * {@code team:<id>:...} and {@code team.<id>....}; other names belong to the global team. The
 * parsing is the contract's ({@link StandardTeams}), so the coordinator's tools agree with it.
 */
final class StandardTeamRule implements TeamRule {

    private final String globalTeam;

    StandardTeamRule(String globalTeam) {
        this.globalTeam = globalTeam;
    }

    @Override
    public String teamOf(String name) {
        return StandardTeams.teamOf(name, globalTeam);
    }

    /** A pattern is within one team when it spells {@code team:<id>:} (or {@code team.<id>.}) with no glob before. */
    @Override
    public Optional<String> teamOfPattern(String pattern) {
        return StandardTeams.teamInPattern(pattern);
    }

    @Override
    public String toString() {
        return "TeamRule.standard(" + globalTeam + ")";
    }
}
