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
    private final boolean terminal;
    /** On a terminal: the status lines kept below everything else (empty: none). */
    private List<String> footer = List.of();

    Printer(OutputFormat format, PrintWriter out) {
        this(format, out, false);
    }

    /** {@code terminal}: stdout is a terminal, where progress can be redrawn in place. */
    Printer(OutputFormat format, PrintWriter out, boolean terminal) {
        this.format = format;
        this.out = out;
        this.terminal = terminal;
    }

    OutputFormat format() {
        return format;
    }

    /** Whether text goes to a terminal (then {@link #redraw} may be used). */
    boolean terminal() {
        return terminal && format == OutputFormat.TEXT;
    }

    /**
     * On a terminal: replaces the last {@code previous} lines (printed by the previous redraw) with
     * {@code lines}, in place (ANSI cursor movements), clearing what a longer previous frame left.
     */
    synchronized void redraw(int previous, List<String> lines) {
        StringBuilder frame = new StringBuilder(clearFooter()); // now at the line below the frame
        if (previous > 0) {
            frame.append("\033[").append(previous).append('F'); // to the start of the frame's first line
        }
        for (String line : lines) {
            frame.append("\033[2K").append(line).append(System.lineSeparator());
        }
        frame.append("\033[J"); // clears below: lines of a longer previous frame
        frame.append(String.join(System.lineSeparator(), footer));
        out.print(frame);
        out.flush();
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

    /**
     * On a terminal: shows {@code lines} as status lines below everything printed, replacing the
     * previous ones; what is printed later goes above them. No lines: none. Elsewhere: does nothing
     * (print a view instead). Each line should fit the terminal's width.
     */
    synchronized void footer(List<String> lines) {
        if (!terminal()) {
            return;
        }
        String clear = clearFooter();
        footer = List.copyOf(lines);
        out.print(clear + String.join(System.lineSeparator(), footer));
        out.flush();
    }

    /** The escapes that erase the footer (the cursor is at the end of its last line) and leave the cursor where it began. */
    private String clearFooter() {
        if (footer.isEmpty()) {
            return "";
        }
        return "\r" + (footer.size() > 1 ? "\033[" + (footer.size() - 1) + "A" : "") + "\033[J";
    }

    private synchronized void line(String line) {
        out.print(clearFooter());
        out.println(line);
        out.print(String.join(System.lineSeparator(), footer));
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
