package io.thoonk.client;

import io.thoonk.contract.NameRules;
import io.thoonk.contract.StandardTeams;

import java.util.Objects;

/**
 * Says which team an object belongs to, from its name. All objects of one team live on one shard,
 * so the rule decides placement in a cluster and which fence guards a write.
 *
 * <p>The {@linkplain #standard(String) standard rule} understands {@code team:<id>:...} and
 * {@code team.<id>....}; names without a team belong to the configured global team.
 */
@FunctionalInterface
public interface TeamRule {

    /** The default name of the team that owns objects whose names carry no team. */
    String DEFAULT_GLOBAL_TEAM = StandardTeams.DEFAULT_GLOBAL_TEAM;

    /** The team owning {@code objectName}; never null or empty. */
    String teamOf(String objectName);

    /** {@code team:<id>:...} and {@code team.<id>....}, others to {@link #DEFAULT_GLOBAL_TEAM}. */
    static TeamRule standard() {
        return standard(DEFAULT_GLOBAL_TEAM);
    }

    /**
     * The one team every object matching {@code pattern} belongs to, if the rule can tell;
     * otherwise empty, and a subscription to the pattern listens on every shard. The default
     * cannot tell.
     */
    default java.util.Optional<String> teamOfPattern(String pattern) {
        return java.util.Optional.empty();
    }

    /**
     * {@code team:<id>:...} and {@code team.<id>....}, others to {@code globalTeam}, which must be a
     * valid team id (no {@code :}, as every team id; see the contract's {@code NameRules.team}).
     */
    static TeamRule standard(String globalTeam) {
        Objects.requireNonNull(globalTeam, "globalTeam == null");
        NameRules.team(globalTeam).ifPresent(v -> {
            throw new InvalidArgumentException("globalTeam: " + v.message());
        });
        return new StandardTeamRule(globalTeam);
    }
}
