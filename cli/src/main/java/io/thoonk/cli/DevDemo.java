package io.thoonk.cli;

import io.thoonk.client.ThoonkException;
import io.thoonk.client.ThoonkTimeoutException;
import io.thoonk.cli.Views.Note;
import io.thoonk.proto.v1.FailoverRecord;
import io.thoonk.proto.v1.MovePhase;
import io.thoonk.proto.v1.MoveProgress;
import io.thoonk.proto.v1.MoveTeamRequest;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.Shard;
import io.thoonk.proto.v1.StatusRequest;
import io.thoonk.proto.v1.StatusResponse;
import io.thoonk.testing.RedisProcess;
import io.thoonk.testing.cluster.LocalCluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The tour of {@code thoonk dev}, shown while its {@link DevWorkload} runs: where the teams were
 * placed, a failover (it kills a shard's primary with SIGKILL and waits for the coordinators to
 * promote the replica, the publishers riding through), and a team move (Admin.MoveTeam, its
 * progress shown, the team publishing throughout). Each step waits for what it shows to happen,
 * with a deadline, and checks the workload lost no acknowledged write; between steps it pauses for
 * a person to read.
 */
final class DevDemo {

    /** Longest wait for a failover to be published, and for the publishers to go on after a step. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    /** Longest wait for the move. */
    static final Duration MOVE_TIMEOUT = Duration.ofSeconds(60);
    /** Publishes each affected team must have acknowledged after a step, to show it goes on. */
    private static final int ACKS_AFTER = 3;
    private static final Duration POLL = Duration.ofMillis(100);

    private final LocalCluster cluster;
    private final CoordinatorClient client;
    private final DevWorkload workload;
    private final Printer printer;
    private final Duration pause;
    private boolean clean = true;

    DevDemo(LocalCluster cluster, CoordinatorClient client, DevWorkload workload, Printer printer, Duration pause) {
        this.cluster = cluster;
        this.client = client;
        this.workload = workload;
        this.printer = printer;
        this.pause = pause;
    }

    /**
     * Runs the tour. Returns whether the workload came through it clean: no write failed, every
     * acknowledged publish in its feed.
     */
    boolean run() {
        note("Demo: teams " + String.join(", ", DevWorkload.TEAMS) + " publish " + DevWorkload.RATE_PER_TEAM
                + " items a second each to team:<team>:news through the routing client; a subscriber per team "
                + "counts what it hears; a worker finishes the jobs put in " + DevWorkload.jobsName() + ".");
        workload.awaitAcks(DevWorkload.TEAMS, 1, STEP_TIMEOUT);
        Map<String, ResolveResponse> placed = placement();
        pace();
        String failedShard = failover(placed);
        pace();
        move(placed, failedShard);
        note("");
        note(clean ? "Demo done: no write failed and every acknowledged publish is in its feed. The workload keeps "
                + "running." : "Demo done, but the workload saw failed or missing writes (above).");
        return clean;
    }

    /** Where each team lives (the client placed them on first use), and how many each shard got. */
    private Map<String, ResolveResponse> placement() {
        section("Placement: each team was placed on the least-loaded shard when first used.");
        Map<String, ResolveResponse> placed = new TreeMap<>();
        Table table = new Table("TEAM", "SHARD", "PRIMARY", "TEAM EPOCH");
        for (String team : DevWorkload.TEAMS) {
            ResolveResponse answer = resolve(team);
            placed.put(team, answer);
            table.row(team, answer.getPlacement().getShardId(), answer.getShard().getPrimary(),
                    answer.getPlacement().getEpoch());
        }
        printer.printList(placed.values().stream().map(a -> new ProtoView(a, "")).toList(), table.text());
        printer.print(new TeamsPerShard(placed.values().stream().collect(Collectors.groupingBy(
                a -> a.getPlacement().getShardId(), TreeMap::new, Collectors.counting()))));
        return placed;
    }

    /**
     * Kills the primary of the first team's shard and waits for the promotion and for the shard's
     * teams to publish again. Returns the shard's id.
     */
    private String failover(Map<String, ResolveResponse> placed) {
        String shardId = placed.get(DevWorkload.TEAMS.get(0)).getPlacement().getShardId();
        List<String> teams = teamsOn(placed, shardId);
        Shard before = shardRecord(shardId);
        RedisProcess primary = process(shardId, before.getPrimary());
        section("Failover: killing " + shardId + "'s primary " + before.getPrimary() + " (kill -9 " + primary.pid()
                + "), as a crash would. Its teams " + String.join(", ", teams) + " keep publishing.");
        DevWorkload.Window window = workload.open();
        try {
            primary.kill();
            Shard after = awaitShard(shardId, s -> s.getEpoch() > before.getEpoch()
                    && !s.getPrimary().equals(before.getPrimary()));
            FailoverRecord record = status().getRecentFailoversList().stream()
                    .filter(r -> r.getShardId().equals(shardId) && r.getEpoch() == after.getEpoch()).findFirst()
                    .orElse(null);
            note("  promoted: " + shardId + "'s primary is now " + after.getPrimary() + " (was " + before.getPrimary()
                    + "), shard epoch " + after.getEpoch() + (record == null ? "" : "; detected after "
                    + record.getDetectedMillis() + " ms, decided " + record.getDecidedMillis() + " ms, promoted "
                    + record.getPromotedMillis() + " ms, published " + record.getPublishedMillis() + " ms"));
            note("  " + shardId + " has no replica left (" + AdminTexts.shardState(after) + "): writes there are "
                    + "acknowledged by the primary alone until a replica is added.");
            workload.awaitAcks(teams, ACKS_AFTER, STEP_TIMEOUT);
        } finally {
            window.close();
        }
        report("  publishers of " + String.join(", ", teams) + " rode through: ", window);
        return shardId;
    }

    /**
     * Moves a team off a shard other than {@code failedShard} to a third shard (with fewer shards,
     * to any other), following its progress, and waits for the team to publish again.
     */
    private void move(Map<String, ResolveResponse> placed, String failedShard) {
        List<String> shards = List.copyOf(cluster.shards().keySet());
        Optional<String> team = placed.keySet().stream()
                .filter(t -> !placed.get(t).getPlacement().getShardId().equals(failedShard)).findFirst()
                .or(() -> placed.keySet().stream().findFirst());
        String source = team.map(t -> placed.get(t).getPlacement().getShardId()).orElse(null);
        Optional<String> target = shards.stream().filter(s -> !s.equals(source) && !s.equals(failedShard)).findFirst()
                .or(() -> shards.stream().filter(s -> !s.equals(source)).findFirst());
        if (team.isEmpty() || target.isEmpty()) {
            note("");
            note("(One shard: no team move to show.)");
            return;
        }
        String moving = team.get();
        section("Team move: moving team " + moving + " from " + source + " to " + target.get() + " (./thoonk admin move "
                + moving + " " + target.get() + ") while it publishes.");
        MoveTeamRequest request = MoveTeamRequest.newBuilder().setTeam(moving).setTargetShardId(target.get()).build();
        MoveProgressDisplay display = new MoveProgressDisplay(printer);
        AtomicReference<MoveProgress> last = new AtomicReference<>();
        DevWorkload.Window window = workload.open();
        try {
            client.adminStream(admin -> admin.moveTeam(request), MOVE_TIMEOUT, p -> {
                last.set(p);
                display.move(p);
            });
            MoveProgress end = last.get();
            if (end == null || end.getPhase() != MovePhase.MOVE_DONE) {
                throw new ThoonkException("the demo's move of team " + moving + " did not finish: "
                        + (end == null ? "no progress" : AdminTexts.moveOutcome(end)));
            }
            workload.awaitAcks(List.of(moving), ACKS_AFTER, STEP_TIMEOUT);
        } finally {
            window.close();
        }
        ResolveResponse now = resolve(moving);
        report("  team " + moving + " kept publishing, now on " + now.getPlacement().getShardId() + " (team epoch "
                + now.getPlacement().getEpoch() + "): ", window);
    }

    private void report(String prefix, DevWorkload.Window window) {
        DevWorkload.Verified verified = workload.verify(window.result());
        clean &= verified.clean();
        note(prefix + verified.text() + ".");
        workload.printStatus();
    }

    private static List<String> teamsOn(Map<String, ResolveResponse> placed, String shardId) {
        return placed.entrySet().stream().filter(e -> e.getValue().getPlacement().getShardId().equals(shardId))
                .map(Map.Entry::getKey).toList();
    }

    /** The redis-server of {@code shardId} at {@code address}. */
    private RedisProcess process(String shardId, String address) {
        return cluster.shard(shardId).processes().stream().filter(p -> p.address().equals(address)).findFirst()
                .orElseThrow(() -> new ThoonkException("the directory names " + address + " as " + shardId
                        + "'s primary, which is none of the redis-servers this command started"));
    }

    /** Waits until the directory's record of {@code shardId} satisfies {@code condition}. */
    private Shard awaitShard(String shardId, Predicate<Shard> condition) {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (true) {
            Shard shard = shardRecord(shardId);
            if (condition.test(shard)) {
                return shard;
            }
            if (System.nanoTime() > deadline) {
                throw new ThoonkTimeoutException("no failover of " + shardId + " was published within "
                        + Durations.format(STEP_TIMEOUT) + "; it is " + shard.getPrimary() + ", epoch " + shard.getEpoch()
                        + ", " + AdminTexts.shardState(shard));
            }
            waitFor(POLL);
        }
    }

    private Shard shardRecord(String shardId) {
        return status().getShardsList().stream().filter(s -> s.getId().equals(shardId)).findFirst()
                .orElseThrow(() -> new ThoonkException("the coordinators know no shard " + shardId));
    }

    private StatusResponse status() {
        return client.admin(a -> a.status(StatusRequest.getDefaultInstance()));
    }

    private ResolveResponse resolve(String team) {
        return client.directory(d -> d.resolve(ResolveRequest.newBuilder().setTeam(team).build()));
    }

    /** A pause for a person to read the last step; nothing waits on it. */
    private void pace() {
        waitFor(pause);
    }

    private static void waitFor(Duration duration) {
        try {
            TimeUnit.MILLISECONDS.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThoonkException("interrupted during the demo", e);
        }
    }

    private void section(String title) {
        note("");
        note("== " + title);
    }

    private void note(String text) {
        printer.print(new Note(text));
    }

    /** How many of the demo's teams each shard got. */
    record TeamsPerShard(Map<String, Long> teamsPerShard) implements View {
        @Override
        public String text() {
            return "Teams per shard: " + teamsPerShard.entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        }
    }
}
