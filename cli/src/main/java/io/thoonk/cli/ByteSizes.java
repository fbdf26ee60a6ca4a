package io.thoonk.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as written on the command line: a whole number of bytes, or of KiB, MiB or GiB (1024-based),
 * e.g. {@code 2097152}, {@code 512KiB}, {@code 4MiB}.
 */
final class ByteSizes {

    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GIB = 1024 * MIB;
    /** Largest size accepted: Redis's largest string (its default {@code proto-max-bulk-len}). */
    static final long MAX = 512 * MIB;

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,12})(b|kib|mib|gib)?");

    private ByteSizes() {
    }

    /** Parses a size between 1 byte and {@link #MAX}. @throws IllegalArgumentException otherwise */
    static long parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write a number of bytes, "
                    + "optionally with KiB, MiB or GiB: 2097152, 512KiB, 4MiB");
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kib" -> KIB;
            case "mib" -> MIB;
            case "gib" -> GIB;
            default -> 1;
        };
        long amount = Long.parseLong(m.group(1));
        if (amount == 0 || amount > MAX / unit) {
            throw new IllegalArgumentException("'" + text + "' is out of range: from 1 byte to " + format(MAX)
                    + " (Redis's largest string)");
        }
        return amount * unit;
    }

    /** Formats in the largest unit that is exact, the inverse of {@link #parse}. */
    static String format(long bytes) {
        if (bytes > 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes > 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes > 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return Long.toString(bytes);
    }

    /** For reading, not parsing back: {@code 512 B}, {@code 12.3 KiB}, {@code 4.0 MiB}, {@code 1.2 GiB}. */
    static String approximate(long bytes) {
        if (bytes < KIB) {
            return bytes + " B";
        }
        double value = bytes;
        String unit = "KiB";
        if (bytes >= GIB) {
            value /= GIB;
            unit = "GiB";
        } else if (bytes >= MIB) {
            value /= MIB;
            unit = "MiB";
        } else {
            value /= KIB;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, unit);
    }

    /** picocli converter for size options. */
    static final class Converter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
