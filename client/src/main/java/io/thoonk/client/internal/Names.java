package io.thoonk.client.internal;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.InvalidNameException;
import io.thoonk.client.ItemTooLargeException;

import java.nio.charset.StandardCharsets;

/** Validation at the edge: every argument is checked before anything reaches Redis. */
public final class Names {

    /** Longest object name, id or pattern, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 512;

    private Names() {
    }

    /** Object names: 1..512 bytes, no NUL, no whitespace or control characters, no glob characters. */
    public static String objectName(String name) {
        return check("object name", name, true, true);
    }

    /** Team names follow the object-name rules. */
    public static String teamName(String team) {
        return check("team name", team, true, true);
    }

    /** Item and job ids: 1..512 bytes, no NUL or control characters (NUL separates contract payloads). */
    public static String id(String id) {
        return check("id", id, false, false);
    }

    /** Subscription patterns: like names, but glob characters are the point. */
    public static String pattern(String pattern) {
        return check("pattern", pattern, true, false);
    }

    private static String check(String what, String value, boolean noWhitespace, boolean noGlob) {
        if (value == null) {
            throw new InvalidNameException(what + " must not be null");
        }
        if (value.isEmpty()) {
            throw new InvalidNameException(what + " must not be empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                throw new InvalidNameException(what + " '" + printable(value) + "' contains a NUL character at index " + i);
            }
            if (Character.isISOControl(c) || (noWhitespace && Character.isWhitespace(c))) {
                throw new InvalidNameException(what + " '" + printable(value) + "' contains "
                        + (Character.isWhitespace(c) ? "whitespace" : "a control character") + " at index " + i);
            }
            if (noGlob && (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')) {
                throw new InvalidNameException(what + " '" + printable(value) + "' contains the glob character '" + c
                        + "' at index " + i + "; names may not contain * ? [ ] \\ (they would break pattern subscriptions)");
            }
        }
        int bytes = utf8Length(value);
        if (bytes > MAX_NAME_BYTES) {
            throw new InvalidNameException(what + " is " + bytes + " bytes long; the limit is " + MAX_NAME_BYTES + " bytes");
        }
        return value;
    }

    /** Items, payloads and results: not null, at most {@code maxBytes} in UTF-8. */
    public static String item(String item, long maxBytes) {
        if (item == null) {
            throw new InvalidArgumentException("item must not be null (use an empty string for an empty item)");
        }
        if ((long) item.length() * 3 > maxBytes) {
            long bytes = utf8Length(item);
            if (bytes > maxBytes) {
                throw new ItemTooLargeException(bytes, maxBytes);
            }
        }
        return item;
    }

    static long revision(long revision) {
        if (revision < 0) {
            throw new InvalidArgumentException("revision must be >= 0, was " + revision);
        }
        return revision;
    }

    static int utf8Length(String s) {
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

    private static String printable(String s) {
        String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
        return new String(shown.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)
                .replace("\0", "\\0").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
