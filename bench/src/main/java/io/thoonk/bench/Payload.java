package io.thoonk.bench;

/** Item contents of a fixed size. */
final class Payload {

    /** The size of every item and job payload the benchmarks write. */
    static final int BYTES = 100;

    /** {@link #BYTES} ASCII characters. */
    static final String ITEM = filler(BYTES);

    private Payload() {
    }

    /** {@code prefix} followed by a space and filler, {@link #BYTES} characters in all (or just longer than the prefix). */
    static String padded(String prefix) {
        return prefix + ' ' + ITEM.substring(0, Math.max(0, BYTES - prefix.length() - 1));
    }

    private static String filler(int length) {
        StringBuilder sb = new StringBuilder(Math.max(0, length));
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }
}
