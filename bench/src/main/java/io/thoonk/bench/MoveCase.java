package io.thoonk.bench;

import java.util.List;
import java.util.stream.IntStream;

/**
 * One team shape the move benchmark moves: its items spread over feeds of these sizes (one feed: a
 * team holding one big object). Items are {@link Payload#BYTES} bytes with ids {@code i0, i1, ...}
 * in each feed.
 *
 * @param label        shown in the report
 * @param feedSizes    items of each feed of the team, at least one feed, each at least one item
 * @param pauseTarget  whether the write-pause target (p99 under 100 ms) is judged on this case
 */
record MoveCase(String label, List<Integer> feedSizes, boolean pauseTarget) {

    MoveCase {
        feedSizes = List.copyOf(feedSizes);
        if (feedSizes.isEmpty() || feedSizes.stream().anyMatch(n -> n < 1)) {
            throw new IllegalArgumentException("a move case needs at least one feed of at least one item, was "
                    + feedSizes);
        }
    }

    /** {@code items} items spread evenly over {@code feeds} feeds. */
    static MoveCase team(int items, int feeds, boolean pauseTarget) {
        List<Integer> sizes = IntStream.range(0, feeds)
                .mapToObj(k -> items / feeds + (k < items % feeds ? 1 : 0)).toList();
        return new MoveCase("team of " + Report.number(items) + " items (" + feeds + " feeds)", sizes, pauseTarget);
    }

    /** A team holding one feed of {@code items} items. */
    static MoveCase bigObject(int items) {
        return new MoveCase("team of one feed of " + Report.number(items) + " items", List.of(items), false);
    }

    int items() {
        return feedSizes.stream().mapToInt(Integer::intValue).sum();
    }

    /** The name of feed {@code k} of {@code team}. */
    static String feed(String team, int k) {
        return "team:" + team + ":feed-" + k;
    }

    static String itemId(int i) {
        return "i" + i;
    }
}
