package io.thoonk.bench;

/**
 * A goal a benchmark is held to.
 *
 * @param what     what is measured
 * @param goal     the goal, as text
 * @param measured the measured figure, as text
 * @param met      whether the goal was met
 */
record Target(String what, String goal, String measured, boolean met) {

    String verdict() {
        return met ? "PASS" : "MISS";
    }
}
