package io.thoonk.bench;

/**
 * One side of a comparison: a name and how to run one round of it.
 *
 * @param name  shown in the report
 * @param round runs one round; gets a tag unique to the round (for object names) and returns its figures
 */
record Variant(String name, Round round) {

    @FunctionalInterface
    interface Round {
        Metrics run(String tag) throws Exception;
    }
}
