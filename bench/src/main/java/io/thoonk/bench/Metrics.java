package io.thoonk.bench;

import java.util.LinkedHashMap;
import java.util.Map;

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
