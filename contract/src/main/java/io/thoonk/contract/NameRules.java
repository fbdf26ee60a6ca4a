package io.thoonk.contract;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The rules for object names, team ids, item and job ids and subscription patterns, shared by
 * every party so that what one accepts the others accept too. Each check answers what is wrong
 * ({@link NameViolation}) or empty when the value is fine; none throws.
 *
 * <ul>
 *   <li>object names and team ids: 1..{@value #MAX_NAME_BYTES} bytes of UTF-8, no NUL, control
 *       or whitespace characters, no glob characters {@code * ? [ ] \} (they would break pattern
 *       subscriptions);</li>
 *   <li>team ids, besides: no {@code :}. The {@linkplain StandardTeams standard team rule} never
 *       yields one (in {@code team:<id>:...} the id ends at the colon, and a {@code team.<id>....}
 *       name whose id holds one spells no team), so a team id with a colon would be a team no
 *       object can belong to;</li>
 *   <li>ids: 1..{@value #MAX_NAME_BYTES} bytes, no NUL or control characters (NUL separates the
 *       fields of contract payloads);</li>
 *   <li>patterns: like object names, but glob characters are the point.</li>
 * </ul>
 */
public final class NameRules {

    /** Longest object name, team id, id or pattern, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 512;

    /** The character a team id may not hold: it ends the id in {@code team:<id>:...} names. */
    public static final char TEAM_SEPARATOR = ':';

    private NameRules() {
    }

    public static Optional<NameViolation> objectName(String name) {
        return check("object name", name, true, true);
    }

    /**
     * Team ids follow the object-name rules (a team id is part of key names and patterns) and hold
     * no {@code :}. A value that is an object name spelling a team ({@code team:353:news}) is
     * answered with that team as a hint ("did you mean '353'?").
     */
    public static Optional<NameViolation> team(String team) {
        Optional<NameViolation> asName = check("team name", team, true, true);
        if (asName.isPresent()) {
            return asName;
        }
        int colon = team.indexOf(TEAM_SEPARATOR);
        if (colon < 0) {
            return Optional.empty();
        }
        String hint = StandardTeams.teamIn(team).map(t -> "; did you mean '" + t + "' (the team of object '"
                + printable(team) + "')?").orElse("");
        return violation("team name", NameViolation.Problem.TEAM_SEPARATOR, "team name '" + printable(team)
                + "' contains ':' at index " + colon + "; a team id cannot hold ':' (no object name can be in such "
                + "a team)" + hint);
    }

    public static Optional<NameViolation> id(String id) {
        return check("id", id, false, false);
    }

    public static Optional<NameViolation> pattern(String pattern) {
        return check("pattern", pattern, true, false);
    }

    private static Optional<NameViolation> check(String what, String value, boolean noWhitespace, boolean noGlob) {
        if (value == null) {
            return violation(what, NameViolation.Problem.NULL, what + " must not be null");
        }
        if (value.isEmpty()) {
            return violation(what, NameViolation.Problem.EMPTY, what + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return violation(what, NameViolation.Problem.NUL_CHARACTER,
                        what + " '" + printable(value) + "' contains a NUL character at index " + i);
            }
            boolean whitespace = Character.isWhitespace(c);
            if (Character.isISOControl(c) || (noWhitespace && whitespace)) {
                return violation(what, whitespace ? NameViolation.Problem.WHITESPACE
                        : NameViolation.Problem.CONTROL_CHARACTER, what + " '" + printable(value) + "' contains "
                        + (whitespace ? "whitespace" : "a control character") + " at index " + i);
            }
            if (noGlob && (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')) {
                return violation(what, NameViolation.Problem.GLOB_CHARACTER, what + " '" + printable(value)
                        + "' contains the glob character '" + c + "' at index " + i
                        + "; names may not contain * ? [ ] \\ (they would break pattern subscriptions)");
            }
        }
        int bytes = utf8Length(value);
        if (bytes > MAX_NAME_BYTES) {
            return violation(what, NameViolation.Problem.TOO_LONG,
                    what + " is " + bytes + " bytes long; the limit is " + MAX_NAME_BYTES + " bytes");
        }
        return Optional.empty();
    }

    private static Optional<NameViolation> violation(String what, NameViolation.Problem problem, String message) {
        return Optional.of(new NameViolation(what, problem, message));
    }

    /** Length of {@code s} in UTF-8 bytes, counted without encoding it (a lone surrogate counts as 3 bytes). */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The value as a message can show it: at most 60 characters, NUL and line breaks escaped. */
    private static String printable(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        // through UTF-8 and back: a lone surrogate becomes '?' instead of making the message malformed
        return new String(shown.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
