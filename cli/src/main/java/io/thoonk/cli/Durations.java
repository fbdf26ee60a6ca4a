package io.thoonk.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as written on the command line: a whole number and a unit, e.g. {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}. */
public final class Durations {

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    private Durations() {
    }

    /** Parses {@code 500ms}, {@code 5s}, {@code 2m} or {@code 1h}. @throws IllegalArgumentException otherwise */
    public static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write a number and a unit: "
                    + "500ms, 5s, 2m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** Formats in the largest unit that is exact, the inverse of {@link #parse}. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /**
     * For reading, not parsing back: {@code 850 ms}, {@code 12.3 s}, {@code 4m 05s}, {@code 2h 10m}
     * (elapsed times, ETAs).
     */
    public static String approximate(Duration duration) {
        long ms = Math.max(0, duration.toMillis());
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long s = ms / 1000;
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh %02dm", s / 3600, (s % 3600) / 60);
    }

    /** picocli converter for {@link Duration} options. */
    static final class Converter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
