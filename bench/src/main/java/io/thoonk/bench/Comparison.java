package io.thoonk.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The round harness every benchmark shares: after warmup rounds, runs every variant once per round
 * against the same server, starting each round with the next variant (A B C, B C A, C A B, ...),
 * so that drift and noise on the machine hit every variant alike and no variant always runs right
 * after the same other one (a round that leaves Redis freeing a large feed slows the next), and
 * keeps each round's figures for medians, ratios and the raw listing.
 */
final class Comparison {

    private final Map<String, List<Metrics>> rounds = new LinkedHashMap<>();
    /** For each measured round, the variants in the order they ran. */
    private final List<List<String>> runOrder = new ArrayList<>();

    private Comparison(List<String> variants) {
        variants.forEach(v -> rounds.put(v, new ArrayList<>()));
    }

    /** Runs the rounds; {@code resources} adds the CPU use of each round to its figures. */
    static Comparison run(String title, List<Variant> variants, int warmups, int measured, ResourceUse resources)
            throws Exception {
        Comparison c = new Comparison(variants.stream().map(Variant::name).toList());
        System.out.printf("%n== %s: %d warmup + %d measured rounds per variant%n", title, warmups, measured);
        int tag = 0;
        for (int r = 0; r < warmups + measured; r++) {
            boolean warmup = r < warmups;
            List<String> order = new ArrayList<>();
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get((r + k) % variants.size());
                order.add(v.name());
                settle();
                ResourceUse.Snapshot before = resources.snapshot();
                Metrics m = v.round().run("r" + tag++);
                resources.addSince(before, m);
                System.out.printf("  %-8s %-40s %s%n", warmup ? "warmup" : "round " + (r - warmups + 1), v.name(), m);
                if (!warmup) {
                    c.rounds.get(v.name()).add(m);
                }
            }
            if (!warmup) {
                c.runOrder.add(order);
            }
        }
        return c;
    }

    /** One round in which every variant runs at once; answers each variant's figures by name. */
    @FunctionalInterface
    interface Together {
        Map<String, Metrics> run(String tag) throws Exception;
    }

    /**
     * Runs rounds in which the variants run at the same time, on the same events (e.g. two listeners
     * of one publisher): whatever stalls the machine during a round stalls every variant of it, so
     * the paired ratios cancel it. Each round's CPU use is the whole round's, added to every
     * variant's figures.
     */
    static Comparison together(String title, List<String> variants, int warmups, int measured,
                               ResourceUse resources, Together round) throws Exception {
        Comparison c = new Comparison(variants);
        System.out.printf("%n== %s: %d warmup + %d measured rounds, the %d variants at once%n", title, warmups,
                measured, variants.size());
        for (int r = 0; r < warmups + measured; r++) {
            boolean warmup = r < warmups;
            settle();
            ResourceUse.Snapshot before = resources.snapshot();
            Map<String, Metrics> figures = round.run("r" + r);
            Metrics shared = new Metrics();
            resources.addSince(before, shared);
            for (String v : variants) {
                Metrics m = figures.get(v);
                shared.asMap().forEach(m::put);
                System.out.printf("  %-8s %-40s %s%n", warmup ? "warmup" : "round " + (r - warmups + 1), v, m);
                if (!warmup) {
                    c.rounds.get(v).add(m);
                }
            }
            if (!warmup) {
                c.runOrder.add(variants);
            }
        }
        return c;
    }

    /** The same start for every round: garbage collected, and a moment for Redis to free what was deleted. */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(100);
    }

    /** The variants of measured round {@code index} (from 0) in the order they ran. */
    List<String> runOrder(int index) {
        return index < runOrder.size() ? runOrder.get(index) : variants();
    }

    List<String> variants() {
        return List.copyOf(rounds.keySet());
    }

    List<Metrics> rounds(String variant) {
        return rounds.get(variant);
    }

    /** Every metric name, in the order the rounds reported them. */
    List<String> metrics() {
        Set<String> names = new LinkedHashSet<>();
        rounds.values().forEach(list -> list.forEach(m -> names.addAll(m.asMap().keySet())));
        return List.copyOf(names);
    }

    double median(String variant, String metric) {
        return Metrics.median(rounds.get(variant), metric);
    }

    /** Median over the rounds of a figure derived from each round's metrics (NaN rounds left out). */
    double median(String variant, ToDoubleFunction<Metrics> figure) {
        return Metrics.median(rounds.get(variant), figure);
    }

    /** Median of {@code a} over median of {@code b}. */
    double ratio(String metric, String a, String b) {
        return median(a, metric) / median(b, metric);
    }

    /**
     * Median over the rounds of {@code a}'s figure over {@code b}'s in the same round: each pair ran
     * back to back, so this cancels noise that lasts longer than a pair.
     */
    double pairedRatio(String metric, String a, String b) {
        return pairedRatio(m -> m.get(metric), a, b);
    }

    /** {@link #pairedRatio(String, String, String)} of a figure derived from each round's metrics. */
    double pairedRatio(ToDoubleFunction<Metrics> figure, String a, String b) {
        return Stats.median(paired(figure, a, b, (x, y) -> x / y));
    }

    /** Each round's {@code a} over {@code b} of one metric, in round order. */
    List<Double> pairedRatios(String metric, String a, String b) {
        return paired(m -> m.get(metric), a, b, (x, y) -> x / y);
    }

    /** Median over the rounds of {@code a}'s figure minus {@code b}'s in the same round. */
    double pairedDifference(String metric, String a, String b) {
        return Stats.median(paired(m -> m.get(metric), a, b, (x, y) -> x - y));
    }

    private List<Double> paired(ToDoubleFunction<Metrics> figure, String a, String b, DoubleBinaryOperator op) {
        List<Metrics> as = rounds.get(a);
        List<Metrics> bs = rounds.get(b);
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < Math.min(as.size(), bs.size()); i++) {
            out.add(op.applyAsDouble(figure.applyAsDouble(as.get(i)), figure.applyAsDouble(bs.get(i))));
        }
        return out;
    }

    /** How many measured rounds each variant ran. */
    int roundCount() {
        return rounds.values().stream().mapToInt(List::size).min().orElse(0);
    }

    /**
     * The same comparison restricted to the rounds (of every variant) in which the machine's other
     * processes used less than {@code maxOtherCpu} % of a core.
     */
    Comparison quietRounds(double maxOtherCpu) {
        Comparison quiet = new Comparison(variants());
        for (int i = 0; i < roundCount(); i++) {
            int round = i;
            boolean calm = rounds.values().stream().allMatch(list ->
                    list.get(round).asMap().getOrDefault(ResourceUse.OTHER_CPU, 0.0) < maxOtherCpu);
            if (calm) {
                rounds.forEach((v, list) -> quiet.rounds.get(v).add(list.get(round)));
            }
        }
        return quiet;
    }

}
