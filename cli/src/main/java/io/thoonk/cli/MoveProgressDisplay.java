package io.thoonk.cli;

import com.google.protobuf.MessageOrBuilder;
import io.thoonk.proto.v1.MoveProgress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Shows the progress streams of {@code admin move}, {@code drain} and {@code rebalance}, one message
 * at a time:
 *
 * <ul>
 *   <li>{@code --output json}: every message as one JSON object per line (the protobuf JSON
 *       mapping), none left out;</li>
 *   <li>text on a terminal: the summary line (drain, rebalance) and one line per move in progress
 *       (phase, a bar, objects, bytes, elapsed, ETA), redrawn in place; a finished move's outcome is
 *       printed above them and stays;</li>
 *   <li>text elsewhere (a pipe, a file, a CI log): plain lines: a move's line when its phase changes
 *       or every {@link #PLAIN_INTERVAL} otherwise, its outcome when it ends, the summary when it
 *       changes.</li>
 * </ul>
 *
 * <p>A move that leaves a drain's or rebalance's list of moves in progress without a final message
 * is shown as ended, pointing at {@code thoonk admin moves}. Fed by one thread (the stream's);
 * {@link #inProgress()} may be read from another (the Ctrl-C hook).
 */
final class MoveProgressDisplay {

    /** How often a move's line is repeated in plain output while its phase does not change. */
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

    private final Printer printer;
    private final LongSupplier nanoTime;
    /** The moves in progress, by move id (or team), as last reported. */
    private final Map<String, MoveProgress> live = new LinkedHashMap<>();
    /** Plain output: when each move's line was last printed. */
    private final Map<String, Long> printedAt = new LinkedHashMap<>();
    private String lastHeader;
    private int drawn;
    private volatile List<MoveProgress> inProgress = List.of();

    MoveProgressDisplay(Printer printer) {
        this(printer, System::nanoTime);
    }

    MoveProgressDisplay(Printer printer, LongSupplier nanoTime) {
        this.printer = printer;
        this.nanoTime = nanoTime;
    }

    /** One move's stream message. */
    void move(MoveProgress progress) {
        show(progress, null, List.of(progress));
    }

    /**
     * One message of a stream: {@code header} is its summary line (null for a single move),
     * {@code moves} what it says of each move (in progress, or just finished).
     */
    void show(MessageOrBuilder message, String header, List<MoveProgress> moves) {
        if (printer.format() == OutputFormat.JSON) {
            printer.print(new ProtoView(message, ""));
            track(moves);
            return;
        }
        List<String> ended = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        Map<String, MoveProgress> before = new LinkedHashMap<>(live);
        for (MoveProgress p : moves) {
            String key = key(p);
            before.remove(key);
            MoveProgress previous = live.get(key);
            if (AdminTexts.finished(p.getPhase())) {
                live.remove(key);
                printedAt.remove(key);
                ended.add(AdminTexts.moveOutcome(p));
            } else {
                live.put(key, p);
                if (due(key, previous, p)) {
                    changed.add(AdminTexts.moveLine(p));
                }
            }
        }
        if (header != null) {
            before.forEach((key, p) -> { // no longer reported in progress, and no final message seen
                live.remove(key);
                printedAt.remove(key);
                ended.add("team " + p.getTeam() + " " + p.getSourceShardId() + " -> " + p.getTargetShardId()
                        + ": no longer in progress (its outcome: thoonk admin moves)");
            });
        }
        track(List.copyOf(live.values()));
        if (printer.terminal()) {
            List<String> frame = new ArrayList<>(ended);
            if (header != null) {
                frame.add(header);
            }
            live.values().forEach(p -> frame.add(AdminTexts.moveLine(p)));
            printer.redraw(drawn, frame);
            drawn = frame.size() - ended.size();
            return;
        }
        ended.forEach(this::plain);
        if (header != null && !header.equals(lastHeader)) {
            plain(header);
        }
        changed.forEach(this::plain);
        lastHeader = header;
    }

    /** Plain output: whether a move's line is worth printing now. */
    private boolean due(String key, MoveProgress previous, MoveProgress now) {
        long t = nanoTime.getAsLong();
        Long last = printedAt.get(key);
        if (previous == null || previous.getPhase() != now.getPhase() || last == null
                || t - last >= PLAIN_INTERVAL.toNanos()) {
            printedAt.put(key, t);
            return true;
        }
        return false;
    }

    private void plain(String line) {
        printer.print(new Views.Note(line));
    }

    private void track(List<MoveProgress> moves) {
        inProgress = moves.stream().filter(p -> !AdminTexts.finished(p.getPhase())).toList();
    }

    /** The moves in progress as last reported (what Ctrl-C with --cancel-on-interrupt cancels). */
    List<MoveProgress> inProgress() {
        return inProgress;
    }

    private static String key(MoveProgress p) {
        return p.getMoveId().isEmpty() ? "team " + p.getTeam() : p.getMoveId();
    }
}
