package io.thoonk.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Markdown of docs/benchmarks.md, built section by section. */
final class Report {

    private final StringBuilder md = new StringBuilder();
    private int sections;

    Report heading(int level, String text) {
        md.append("#".repeat(level)).append(' ').append(text).append("\n\n");
        return this;
    }

    /** A numbered section: {@code ## <n>. title}, numbered in the order the sections are written. */
    Report section(String title) {
        return heading(2, ++sections + ". " + title);
    }

    Report paragraph(String text) {
        md.append(text).append("\n\n");
        return this;
    }

    Report bullets(List<String> items) {
        items.forEach(i -> md.append("- ").append(i).append('\n'));
        md.append('\n');
        return this;
    }

    Report code(String language, String text) {
        md.append("```").append(language).append('\n').append(text).append("\n```\n\n");
        return this;
    }

    Report table(List<String> header, List<List<String>> rows) {
        md.append(row(header));
        md.append(row(header.stream().map(h -> "---").toList()));
        rows.forEach(r -> md.append(row(r)));
        md.append('\n');
        return this;
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }

    /** Other processes above this share of a core (%) make a round "disturbed". */
    static final double QUIET_OTHER_CPU = 25;

    /**
     * One row per metric: each variant's median over the measured rounds, then (for two variants) the
     * ratio of the medians and the median of the per-round ratios; then the headline {@code metric}
     * over the quiet rounds only, for a shared machine.
     */
    Report medians(Comparison c, String metric) {
        List<String> variants = c.variants();
        List<String> header = new ArrayList<>(List.of("median of " + c.roundCount() + " rounds"));
        variants.forEach(header::add);
        boolean pair = variants.size() == 2;
        if (pair) {
            header.add("ratio of medians");
            header.add("median of paired ratios");
        }
        List<List<String>> rows = new ArrayList<>();
        for (String m : c.metrics()) {
            List<String> r = new ArrayList<>(List.of(m));
            variants.forEach(v -> r.add(number(c.median(v, m))));
            if (pair) {
                r.add(ratio(c.ratio(m, variants.get(0), variants.get(1))));
                r.add(ratio(c.pairedRatio(m, variants.get(0), variants.get(1))));
            }
            rows.add(r);
        }
        table(header, rows);
        Comparison quiet = c.quietRounds(QUIET_OTHER_CPU);
        StringBuilder note = new StringBuilder(String.format(Locale.ROOT, "Quiet rounds (other processes below "
                + "%.0f%% of a core in both rounds of the pair): %d of %d.", QUIET_OTHER_CPU, quiet.roundCount(),
                c.roundCount()));
        if (quiet.roundCount() > 0) {
            note.append(" Their medians of ").append(metric).append(": ");
            note.append(String.join(", ", variants.stream().map(v -> v + " " + number(quiet.median(v, metric))).toList()));
            if (pair) {
                note.append(" (paired ratio ").append(ratio(quiet.pairedRatio(metric, variants.get(0), variants.get(1))))
                        .append(")");
            }
            note.append('.');
        }
        return paragraph(note.toString());
    }

    /**
     * For a comparison of more than two variants: one row per pair {@code [a, b]} with {@code metric}'s
     * ratio of the medians, the median of the paired ratios, and the latter over the quiet rounds.
     */
    Report ratios(Comparison c, String metric, List<List<String>> pairs) {
        Comparison quiet = c.quietRounds(QUIET_OTHER_CPU);
        return table(List.of(metric, "ratio of medians", "median of paired ratios",
                "quiet rounds: median of paired ratios"), pairs.stream().map(p -> List.of(
                p.get(0) + " / " + p.get(1), ratio(c.ratio(metric, p.get(0), p.get(1))),
                ratio(c.pairedRatio(metric, p.get(0), p.get(1))),
                quiet.roundCount() == 0 ? "n/a" : ratio(quiet.pairedRatio(metric, p.get(0), p.get(1))))).toList());
    }

    Report targets(List<Target> targets) {
        return table(List.of("target", "goal", "measured", "result"), targets.stream()
                .map(t -> List.of(t.what(), t.goal(), t.measured(), "**" + t.verdict() + "**")).toList());
    }

    /** Every measured round, in the order it ran. */
    Report rawRounds(Comparison c) {
        List<String> metrics = c.metrics();
        List<String> header = new ArrayList<>(List.of("round", "variant"));
        header.addAll(metrics);
        List<List<String>> rows = new ArrayList<>();
        int rounds = c.rounds(c.variants().get(0)).size();
        for (int i = 0; i < rounds; i++) {
            for (String v : c.runOrder(i)) {
                List<String> r = new ArrayList<>(List.of(Integer.toString(i + 1), v));
                r.addAll(cells(c.rounds(v).get(i), metrics));
                rows.add(r);
            }
        }
        md.append("Raw rounds (in run order):\n\n");
        return table(header, rows);
    }

    /** Rounds of one kind (no variants), numbered in run order, one column per metric. */
    Report rounds(List<Metrics> rounds) {
        List<String> metrics = rounds.stream().flatMap(m -> m.asMap().keySet().stream()).distinct().toList();
        List<String> header = new ArrayList<>(List.of("round"));
        header.addAll(metrics);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < rounds.size(); i++) {
            List<String> r = new ArrayList<>(List.of(Integer.toString(i + 1)));
            r.addAll(cells(rounds.get(i), metrics));
            rows.add(r);
        }
        return table(header, rows);
    }

    /** One figure per line: name, value. */
    Report figures(String title, Metrics figures) {
        List<List<String>> rows = new ArrayList<>();
        figures.asMap().forEach((k, v) -> rows.add(List.of(k, number(v))));
        return table(List.of(title, "value"), rows);
    }

    private static List<String> cells(Metrics m, List<String> metrics) {
        return metrics.stream().map(k -> m.asMap().containsKey(k) ? number(m.get(k)) : "").toList();
    }

    /** Thousands separated above 1000, otherwise up to two decimals. */
    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double r) {
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.2fx", r);
    }

    void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, md.toString());
    }
}
