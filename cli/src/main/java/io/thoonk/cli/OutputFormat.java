package io.thoonk.cli;

/** How results are printed: for people, or as one JSON object per line for scripts. */
public enum OutputFormat {
    /** Human-readable lines. */
    TEXT,
    /** One JSON object per line (JSON Lines). */
    JSON
}
