package io.thoonk.cli;

/**
 * One printed result. Implementations are records: their components are the JSON object's fields
 * (see {@link Printer}), and {@link #text()} is the human-readable form.
 */
interface View {

    /** The human-readable form, one or more lines. */
    String text();

    /** The JSON form, one line; by default the record's components as one object. */
    default String json() {
        return Printer.toJson(this);
    }
}
