package io.thoonk.client;

import java.util.Objects;

/**
 * Where an item sits in a sorted feed, in the contract's notation: {@code begin:} (first),
 * {@code :end} (last), {@code :X} (just before X), {@code X:} (just after X).
 */
public sealed interface Position {

    /** The contract notation of this position. */
    String notation();

    static Position begin() {
        return Begin.INSTANCE;
    }

    static Position end() {
        return End.INSTANCE;
    }

    static Position before(String id) {
        return new Before(id);
    }

    static Position after(String id) {
        return new After(id);
    }

    /** Parses the contract notation. */
    static Position parse(String notation) {
        Objects.requireNonNull(notation, "notation == null");
        if (notation.equals("begin:")) {
            return begin();
        }
        if (notation.equals(":end")) {
            return end();
        }
        if (notation.length() > 1 && notation.startsWith(":")) {
            return before(notation.substring(1));
        }
        if (notation.length() > 1 && notation.endsWith(":")) {
            return after(notation.substring(0, notation.length() - 1));
        }
        throw new InvalidArgumentException("position '" + notation
                + "' is not one of begin:, :end, :ID (before ID) or ID: (after ID)");
    }

    /** First in the feed. */
    enum Begin implements Position {
        INSTANCE;

        @Override
        public String notation() {
            return "begin:";
        }
    }

    /** Last in the feed. */
    enum End implements Position {
        INSTANCE;

        @Override
        public String notation() {
            return ":end";
        }
    }

    /** Just before the item {@code id}. */
    record Before(String id) implements Position {
        public Before {
            Objects.requireNonNull(id, "id == null");
        }

        @Override
        public String notation() {
            return ":" + id;
        }
    }

    /** Just after the item {@code id}. */
    record After(String id) implements Position {
        public After {
            Objects.requireNonNull(id, "id == null");
        }

        @Override
        public String notation() {
            return id + ":";
        }
    }
}
