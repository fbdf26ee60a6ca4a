package io.thoonk.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The named figures one round produced, in the order they were added. */
final class Metrics {

    private final Map<String, Double> values = new LinkedHashMap<>();

    Metrics put(String name, double value) {
        values.put(name, value);
        return this;
    }

    double get(String name) {
        Double v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "' in " + values.keySet());
        }
        return v;
    }

    /** Median over {@code rounds} of a figure derived from each (NaN left out). */
    static double median(List<Metrics> rounds, ToDoubleFunction<Metrics> figure) {
        return Stats.median(rounds.stream().map(figure::applyAsDouble).filter(v -> !v.isNaN()).toList());
    }

    /** Median over {@code rounds} of one metric (rounds without it left out). */
    static double median(List<Metrics> rounds, String metric) {
        return median(rounds, m -> m.values.getOrDefault(metric, Double.NaN));
    }

    Map<String, Double> asMap() {
        return values;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k).append(' ')
                .append(Report.number(v)));
        return sb.toString();
    }
}
