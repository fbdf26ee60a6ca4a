package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import io.thoonk.cli.CliRunner.Result;
import io.thoonk.proto.v1.CancelMoveRequest;
import io.thoonk.proto.v1.DrainProgress;
import io.thoonk.proto.v1.DrainShardRequest;
import io.thoonk.proto.v1.ListMovesResponse;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.PlannedMove;
import io.thoonk.proto.v1.RebalanceProgress;
import io.thoonk.proto.v1.RebalanceRequest;
import io.thoonk.proto.v1.RebalanceStrategy;
import io.thoonk.proto.v1.ShardLoad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static io.thoonk.cli.ScriptedAdmin.move;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How {@code thoonk admin move, cancel-move, moves, drain, rebalance} render progress, plans and
 * refusals, and what Ctrl-C does, against {@link ScriptedAdmin}: a test double of our own Admin API
 * (a real gRPC server answering scripted messages), for the CLI's rendering only. The coordinators'
 * side of these calls is tested where it is built; end-to-end runs against real coordinators come
 * with it.
 */
class AdminMoveCommandTest {

    static final String NL = System.lineSeparator();

    ScriptedAdmin server;

    @BeforeEach
    void start() {
        server = new ScriptedAdmin();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.close();
    }

    Result admin(String... args) {
        List<String> all = new ArrayList<>(List.of("admin"));
        all.addAll(Arrays.asList(args));
        all.addAll(List.of("--coordinator", server.address()));
        return CliRunner.runExactly(all.toArray(String[]::new));
    }

    static List<MoveProgress> aMove(MovePhase last) {
        return List.of(move("42", MovePhase.MOVE_PREPARING, 0, 10), move("42", MovePhase.MOVE_COPYING, 3, 10),
                move("42", MovePhase.MOVE_COPYING, 6, 10), move("42", MovePhase.MOVE_CATCHING_UP, 10, 10),
                move("42", MovePhase.MOVE_SWITCHING, 10, 10), move("42", last, 10, 10).toBuilder()
                        .setOutcome(last == MovePhase.MOVE_DONE ? "" : "target s2 did not answer").build());
    }

    @Test
    void move_prints_a_line_per_phase_and_the_outcome_when_not_on_a_terminal() {
        server.moveScript = aMove(MovePhase.MOVE_DONE);

        Result moved = admin("move", "42", "s2");

        assertThat(moved.exitCode()).as(moved.toString()).isZero();
        assertThat(server.requests(MoveTeamRequest.class)).containsExactly(MoveTeamRequest.newBuilder()
                .setTeam("42").setTargetShardId("s2").build());
        // one line per phase (the second copying message repeats no phase), the outcome last
        assertThat(moved.lines()).hasSize(5);
        assertThat(moved.lines().get(1)).isEqualTo("team 42  s1 -> s2  copying  [######--------------] 3/10 objects"
                + "  6.0 KiB  30 ms  ETA 70 ms");
        assertThat(moved.lines().get(4)).isEqualTo("moved team 42 s1 -> s2 in 100 ms, write pause 42 ms, 10 objects, "
                + "20.0 KiB (team epoch 3)");
        assertThat(moved.out()).doesNotContain("\033[");
        assertThat(moved.err()).isEmpty();
    }

    @Test
    void move_as_json_streams_every_progress_message() {
        server.moveScript = aMove(MovePhase.MOVE_DONE);

        Result moved = admin("move", "42", "s2", "--output", "json");

        assertThat(moved.exitCode()).as(moved.toString()).isZero();
        List<JsonNode> json = moved.json();
        assertThat(json).hasSize(6);
        assertThat(json).extracting(j -> j.get("phase").asText()).containsExactly("MOVE_PREPARING", "MOVE_COPYING",
                "MOVE_COPYING", "MOVE_CATCHING_UP", "MOVE_SWITCHING", "MOVE_DONE");
        assertThat(json.get(2).get("objectsCopied").asText()).isEqualTo("6");
        assertThat(json.get(5).get("writePauseMillis").asText()).isEqualTo("42");
    }

    @Test
    void a_move_rolled_back_fails_with_its_outcome() {
        server.moveScript = aMove(MovePhase.MOVE_ROLLED_BACK);

        Result moved = admin("move", "42", "s2");

        assertThat(moved.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(moved.err()).isEqualTo("thoonk: rolled back the move of team 42 s1 -> s2 after 100 ms; the team "
                + "stays on s1: target s2 did not answer" + NL);
    }

    @Test
    void refusals_print_one_line_with_the_exit_code_of_the_other_admin_commands() {
        server.failure = Status.NOT_FOUND.withDescription("no shard 's9'; see ListShards");
        Result unknown = admin("move", "42", "s9");
        assertThat(unknown.exitCode()).isEqualTo(ErrorHandler.FAILURE);
        assertThat(unknown.err()).isEqualTo("thoonk: NOT_FOUND: no shard 's9'; list them with ./thoonk admin shards"
                + NL);

        server.failure = Status.INVALID_ARGUMENT.withDescription("team 'team:42:news' holds ':'; did you mean '42'?");
        Result invalid = admin("drain", "s1");
        assertThat(invalid.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(invalid.err()).hasLineCount(1).startsWith("thoonk: INVALID_ARGUMENT: team 'team:42:news'");

        Result zero = admin("rebalance", "--max-concurrent", "0", "--yes");
        assertThat(zero.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(zero.err()).isEqualTo("thoonk: --max-concurrent must be at least 1, was 0" + NL);
        assertThat(server.requests(RebalanceRequest.class)).isEmpty();
    }

    @Test
    void cancel_move_and_moves_show_the_outcome_and_the_history() {
        Result cancelled = admin("cancel-move", "42");
        assertThat(cancelled.exitCode()).as(cancelled.toString()).isZero();
        assertThat(cancelled.out()).startsWith("cancelled the move of team 42 s1 -> s2 after 10 ms; the team stays "
                + "on s1: cancelled by an operator");
        assertThat(server.requests(CancelMoveRequest.class)).extracting(CancelMoveRequest::getTeam).containsExactly("42");

        server.moves = ListMovesResponse.newBuilder().addActive(move("7", MovePhase.MOVE_COPYING, 5, 20))
                .addHistory(move("42", MovePhase.MOVE_DONE, 10, 10)).build();
        Result moves = admin("moves");
        assertThat(moves.exitCode()).as(moves.toString()).isZero();
        assertThat(moves.lines()).contains("in progress:", "finished (newest first):");
        assertThat(moves.lines()).anySatisfy(l -> assertThat(l).matches("7\\s+s1\\s+s2\\s+copying\\s+5/20\\s+10.0 KiB"
                + "\\s+50 ms\\s+150 ms"));
        assertThat(moves.lines()).anySatisfy(l -> assertThat(l).matches("2023-11-14 22:13:20.000\\s+42\\s+s1\\s+s2\\s+"
                + "done\\s+100 ms\\s+42 ms\\s+10\\s+20.0 KiB\\s+3\\s+-"));
        assertThat(admin("moves", "--output", "json").json()).extracting(j -> j.get("team").asText())
                .containsExactly("7", "42");
    }

    @Test
    void drain_shows_the_teams_moved_and_each_move() {
        DrainProgress.Builder p = DrainProgress.newBuilder().setShardId("s1").setTeamsTotal(2);
        server.drainScript = List.of(
                p.clone().addMoves(move("1", MovePhase.MOVE_COPYING, 1, 2)).build(),
                p.clone().setTeamsMoved(1).addMoves(move("1", MovePhase.MOVE_DONE, 2, 2))
                        .addMoves(move("2", MovePhase.MOVE_COPYING, 0, 4)).build(),
                p.clone().setTeamsMoved(2).setDone(true).setOutcome("shard s1 holds no teams").build());

        Result drained = admin("drain", "s1", "--max-concurrent", "2");

        assertThat(drained.exitCode()).as(drained.toString()).isZero();
        assertThat(server.requests(DrainShardRequest.class)).extracting(DrainShardRequest::getMaxConcurrentMoves)
                .containsExactly(2);
        assertThat(drained.lines()).containsExactly(
                "draining shard s1: 0/2 teams moved, 1 in progress",
                "team 1  s1 -> s2  copying  [##########----------] 1/2 objects  2.0 KiB  10 ms  ETA 10 ms",
                "moved team 1 s1 -> s2 in 20 ms, write pause 42 ms, 2 objects, 4.0 KiB (team epoch 3)",
                "draining shard s1: 1/2 teams moved, 1 in progress",
                "team 2  s1 -> s2  copying  [--------------------] 0/4 objects  0 B  0 ms  ETA 40 ms",
                "team 2 s1 -> s2: no longer in progress (its outcome: thoonk admin moves)",
                "drained shard s1: 2/2 teams moved (shard s1 holds no teams)");
    }

    static RebalanceProgress plan() {
        return RebalanceProgress.newBuilder()
                .addPlan(PlannedMove.newBuilder().setTeam("5").setSourceShardId("s1").setTargetShardId("s3").setLoad(1))
                .addBefore(ShardLoad.newBuilder().setShardId("s1").setTeams(4).setMemoryBytes(4096).setWeight(1))
                .addBefore(ShardLoad.newBuilder().setShardId("s3").setTeams(2).setMemoryBytes(2048).setWeight(1))
                .addAfter(ShardLoad.newBuilder().setShardId("s1").setTeams(3).setMemoryBytes(3072).setWeight(1))
                .addAfter(ShardLoad.newBuilder().setShardId("s3").setTeams(3).setMemoryBytes(3072).setWeight(1))
                .setMovesTotal(1).build();
    }

    @Test
    void rebalance_shows_the_plan_and_runs_it_only_when_asked() {
        server.dryRunPlan = plan();
        server.rebalanceScript = List.of(plan(), RebalanceProgress.newBuilder().setMovesTotal(1).setMovesDone(1)
                .setDone(true).build());

        Result dry = admin("rebalance", "--dry-run", "--strategy", "memory");
        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).startsWith("plan (memory): 1 move" + NL);
        assertThat(dry.lines()).anySatisfy(l -> assertThat(l).matches("s1\\s+1\\s+4 -> 3\\s+4.0 KiB -> 3.0 KiB\\s+0"));
        assertThat(dry.lines()).anySatisfy(l -> assertThat(l).matches("5\\s+s1\\s+s3\\s+1 B"));
        assertThat(server.requests(RebalanceRequest.class)).extracting(RebalanceRequest::getDryRun,
                RebalanceRequest::getStrategy).containsExactly(org.assertj.core.groups.Tuple.tuple(true,
                RebalanceStrategy.REBALANCE_MEMORY));

        Result unconfirmed = admin("rebalance");
        assertThat(unconfirmed.exitCode()).isEqualTo(ErrorHandler.USAGE);
        assertThat(unconfirmed.out()).startsWith("plan (team count): 1 move");
        assertThat(unconfirmed.err()).isEqualTo("thoonk: not rebalancing: carry out this move with --yes (or run the "
                + "command on a terminal, to be asked); --dry-run only shows the plan" + NL);
        assertThat(server.requests(RebalanceRequest.class)).allMatch(RebalanceRequest::getDryRun);

        Result run = admin("rebalance", "--yes", "--max-concurrent", "3");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("plan (team count): 1 move");
        assertThat(run.lines()).last().isEqualTo("rebalanced: 1/1 move done");
        RebalanceRequest last = server.requests(RebalanceRequest.class).get(2);
        assertThat(last.getDryRun()).isFalse();
        assertThat(last.getMaxConcurrentMoves()).isEqualTo(3);
    }

    @Test
    void on_a_terminal_each_move_is_one_line_redrawn_in_place() {
        StringWriter out = new StringWriter();
        AtomicLong now = new AtomicLong();
        MoveProgressDisplay display = new MoveProgressDisplay(new Printer(OutputFormat.TEXT, new PrintWriter(out),
                true), now::get);

        display.move(move("42", MovePhase.MOVE_COPYING, 3, 10));
        display.move(move("42", MovePhase.MOVE_COPYING, 6, 10));
        display.move(move("42", MovePhase.MOVE_DONE, 10, 10));

        String[] frames = out.toString().split("\033\\[J", -1);
        assertThat(frames).hasSize(4);
        assertThat(frames[0]).isEqualTo("\033[2Kteam 42  s1 -> s2  copying  [######--------------] 3/10 objects  "
                + "6.0 KiB  30 ms  ETA 70 ms" + NL);
        // back to the start of the move's line, which is replaced
        assertThat(frames[1]).startsWith("\033[1F\033[2Kteam 42  s1 -> s2  copying  [############--------] 6/10");
        assertThat(frames[2]).isEqualTo("\033[1F\033[2Kmoved team 42 s1 -> s2 in 100 ms, write pause 42 ms, 10 "
                + "objects, 20.0 KiB (team epoch 3)" + NL);
        assertThat(display.inProgress()).isEmpty();
    }

    @Test
    void ctrl_c_detaches_from_a_move_and_says_how_to_cancel_it(@TempDir Path dir) {
        server.moveScript = aMove(MovePhase.MOVE_DONE).subList(0, 2);
        server.open = true;
        try (CliProcess cli = CliProcess.start(dir.resolve("dev.json"), "admin", "move", "42", "s2",
                "--coordinator", server.address())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cli.out().size() == 2);
            cli.stop();
            assertThat(cli.err()).containsExactly("thoonk: detached: the move of team 42 to s2 goes on on the "
                    + "coordinators; follow it with ./thoonk admin moves, cancel it with ./thoonk admin cancel-move 42");
        }
        assertThat(server.requests(CancelMoveRequest.class)).isEmpty();
    }

    @Test
    void ctrl_c_with_cancel_on_interrupt_cancels_the_move(@TempDir Path dir) {
        server.moveScript = aMove(MovePhase.MOVE_DONE).subList(0, 2);
        server.open = true;
        try (CliProcess cli = CliProcess.start(dir.resolve("dev.json"), "admin", "move", "42", "s2",
                "--cancel-on-interrupt", "--coordinator", server.address())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> cli.out().size() == 2);
            cli.stop();
            assertThat(cli.err()).containsExactly("thoonk: cancelled the move of team 42 s1 -> s2 after 10 ms; the "
                    + "team stays on s1: cancelled by an operator");
        }
        assertThat(server.requests(CancelMoveRequest.class)).extracting(CancelMoveRequest::getTeam)
                .containsExactly("42");
    }
}
