package io.thoonk.contract;

import java.util.Objects;

/**
 * What is wrong with a name, id or pattern, as {@link NameRules} found it: which rule it breaks,
 * and a message for a person that names the value, the offending character and where it is.
 * Callers turn it into their own error (the client throws its {@code InvalidNameException}, the
 * coordinator answers {@code INVALID_ARGUMENT}).
 *
 * @param what    what was checked: {@code object name}, {@code team name}, {@code id} or {@code pattern}
 * @param problem the rule broken
 * @param message the full explanation, starting with {@code what}
 */
public record NameViolation(String what, Problem problem, String message) {

    /** The rules a name can break. */
    public enum Problem {
        NULL,
        EMPTY,
        /** A NUL character: it separates the fields of contract payloads. */
        NUL_CHARACTER,
        CONTROL_CHARACTER,
        WHITESPACE,
        /** {@code * ? [ ] \}: they would make a name match patterns it does not spell. */
        GLOB_CHARACTER,
        /** More than {@link NameRules#MAX_NAME_BYTES} bytes of UTF-8. */
        TOO_LONG,
        /** A team id holding {@code :}, which no object name's team can hold. */
        TEAM_SEPARATOR
    }

    public NameViolation {
        Objects.requireNonNull(what, "what == null");
        Objects.requireNonNull(problem, "problem == null");
        Objects.requireNonNull(message, "message == null");
    }
}
