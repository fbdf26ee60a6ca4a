package io.thoonk.cli;

import io.thoonk.cli.Views.Note;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Printer#footer}: status lines kept below what is printed, on a terminal only. */
class PrinterFooterTest {

    private static final String NL = System.lineSeparator();

    @Test
    void a_line_printed_goes_above_the_footer_which_is_redrawn_below_it() {
        StringWriter out = new StringWriter();
        Printer printer = new Printer(OutputFormat.TEXT, new PrintWriter(out), true);

        printer.footer(List.of("a", "b"));
        printer.print(new Note("x"));
        printer.footer(List.of("c"));
        printer.footer(List.of());

        assertThat(out.toString()).isEqualTo("a" + NL + "b"
                + "\r\033[1A\033[J" + "x" + NL + "a" + NL + "b"   // erase both footer lines, print, redraw
                + "\r\033[1A\033[J" + "c"                         // replaced by one line
                + "\r\033[J");                                    // removed
    }

    @Test
    void elsewhere_the_footer_prints_nothing() {
        StringWriter out = new StringWriter();
        Printer printer = new Printer(OutputFormat.TEXT, new PrintWriter(out), false);

        printer.footer(List.of("a"));
        printer.print(new Note("x"));

        assertThat(out.toString()).isEqualTo("x" + NL);
    }
}
