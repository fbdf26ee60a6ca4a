package io.thoonk.client;

import java.util.Optional;

/** {@code team:<id>:...} and {@code team.<id>....}; other names belong to the global team. */
final class StandardTeamRule implements TeamRule {

    private final String globalTeam;

    StandardTeamRule(String globalTeam) {
        this.globalTeam = globalTeam;
    }

    @Override
    public String teamOf(String name) {
        int end = teamEnd(name);
        return end < 0 ? globalTeam : name.substring(5, end);
    }

    /** The index just past the team id, or -1 when the name has no team. */
    private static int teamEnd(String name) {
        if (name.length() > 5 && name.startsWith("team") && (name.charAt(4) == ':' || name.charAt(4) == '.')) {
            int end = name.indexOf(name.charAt(4), 5);
            int stop = end < 0 ? name.length() : end;
            return stop > 5 ? stop : -1;
        }
        return -1;
    }

    /** A pattern is within one team when it spells {@code team:<id>:} (or {@code team.<id>.}) with no glob before. */
    @Override
    public Optional<String> teamOfPattern(String pattern) {
        int end = teamEnd(pattern);
        if (end < 0 || end >= pattern.length()) {
            return Optional.empty();
        }
        String prefix = pattern.substring(0, end);
        for (char c : new char[] {'*', '?', '[', ']', '\\'}) {
            if (prefix.indexOf(c) >= 0) {
                return Optional.empty();
            }
        }
        return Optional.of(pattern.substring(5, end));
    }

    @Override
    public String toString() {
        return "TeamRule.standard(" + globalTeam + ")";
    }
}
