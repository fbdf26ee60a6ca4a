package io.thoonk.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.util.List;

/**
 * Writes results to stdout, one {@link View} at a time: its text form, or one JSON object per line.
 * Every line is flushed at once, so a reader sees events as they happen. Thread-safe.
 */
final class Printer {

    private final OutputFormat format;
    private final PrintWriter out;

    Printer(OutputFormat format, PrintWriter out) {
        this.format = format;
        this.out = out;
    }

    /** Prints a view in the chosen format. */
    void print(View view) {
        line(format == OutputFormat.JSON ? view.json() : view.text());
    }

    /**
     * Prints a list: as text, {@code text} (typically the rows as a {@link Table}); as JSON, one
     * object per row.
     */
    void printList(List<? extends View> rows, String text) {
        if (format == OutputFormat.JSON) {
            rows.forEach(row -> line(row.json()));
        } else {
            line(text);
        }
    }

    /** Prints each view in turn. */
    void printAll(List<? extends View> views) {
        views.forEach(this::print);
    }

    private synchronized void line(String line) {
        out.println(line);
        out.flush();
    }

    static String toJson(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value + " as JSON", e);
        }
    }

    /** Loads and warms up the JSON writer (for the launcher's class data sharing archive). */
    static void loadJson() {
        toJson(new Views.Note("warm-up"));
    }

    /** Holds the JSON writer, so that text output never loads Jackson (a tenth of a second at start-up). */
    private static final class Json {
        static final ObjectMapper MAPPER = JsonMapper.builder().build();
    }
}
