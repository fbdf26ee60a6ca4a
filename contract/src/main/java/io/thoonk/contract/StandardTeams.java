package io.thoonk.contract;

import java.util.Optional;

/**
 * The standard team rule's logic: an object named {@code team:<id>:...} or {@code team.<id>....}
 * belongs to team {@code <id>}; other names carry no team (a deployment gives them its global
 * team). A team id never holds {@code :} ({@link NameRules#team}): in the colon form the id ends
 * at the first colon, and a dotted name whose id would hold one ({@code team.a:b.news}) spells no
 * team. The client's {@code TeamRule.standard()} and the coordinator's tools use this, so both
 * sides agree on which objects make up a team.
 *
 * <p>The dotted form is the one to use when original thoonk.js peers subscribe: thoonk.js takes
 * the object name from a channel split on {@code :}, so it cannot hear objects whose names hold
 * one.
 */
public final class StandardTeams {

    /** The usual name of the team that owns objects whose names carry no team. */
    public static final String DEFAULT_GLOBAL_TEAM = "global";

    private static final String GLOB = "*?[]\\";

    private StandardTeams() {
    }

    /** The team {@code objectName} spells, or empty when it spells none. */
    public static Optional<String> teamIn(String objectName) {
        int end = teamEnd(objectName);
        return end < 0 ? Optional.empty() : Optional.of(objectName.substring(5, end));
    }

    /** The team of {@code objectName}: the one it spells, else {@code globalTeam}. */
    public static String teamOf(String objectName, String globalTeam) {
        int end = teamEnd(objectName);
        return end < 0 ? globalTeam : objectName.substring(5, end);
    }

    /**
     * The one team every object matching {@code pattern} belongs to: when the pattern spells
     * {@code team:<id>:} (or {@code team.<id>.}) with no glob character before the end of that
     * prefix. Empty otherwise.
     */
    public static Optional<String> teamInPattern(String pattern) {
        int end = teamEnd(pattern);
        if (end < 0 || end >= pattern.length()) {
            return Optional.empty();
        }
        for (int i = 0; i < end; i++) {
            if (GLOB.indexOf(pattern.charAt(i)) >= 0) {
                return Optional.empty();
            }
        }
        return Optional.of(pattern.substring(5, end));
    }

    /** The index just past the team id, or -1 when the name has no team. */
    private static int teamEnd(String name) {
        if (name.length() > 5 && name.startsWith("team") && (name.charAt(4) == ':' || name.charAt(4) == '.')) {
            int end = name.indexOf(name.charAt(4), 5);
            int stop = end < 0 ? name.length() : end;
            int colon = name.indexOf(NameRules.TEAM_SEPARATOR, 5);
            return stop > 5 && (colon < 0 || colon >= stop) ? stop : -1;
        }
        return -1;
    }
}
