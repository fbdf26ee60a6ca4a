package io.thoonk.cli;

import io.thoonk.cli.Views.Note;
import io.thoonk.proto.v1.ResolveRequest;
import io.thoonk.proto.v1.ResolveResponse;
import io.thoonk.proto.v1.TeamPlacement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The demo of {@code thoonk dev}: resolves teams {@code 1..N} through the Directory service, as a
 * routing client would, and prints where each one landed and how many teams each shard got.
 */
final class DevDemo {

    /** How many teams the demo resolves. */
    static final int TEAMS = 12;

    private final CoordinatorClient client;
    private final Printer printer;

    DevDemo(CoordinatorClient client, Printer printer) {
        this.client = client;
        this.printer = printer;
    }

    /** Resolves the teams, prints them, and returns the answers in team order. */
    List<ResolveResponse> run() {
        printer.print(new Note("Demo: resolving teams 1.." + TEAMS + " through the Directory service; a team seen "
                + "for the first time is placed on the least-loaded shard."));
        List<ResolveResponse> answers = new ArrayList<>();
        Table table = new Table("TEAM", "SHARD", "PRIMARY", "EPOCH");
        for (String team : IntStream.rangeClosed(1, TEAMS).mapToObj(Integer::toString).toList()) {
            ResolveResponse answer = client.directory(d -> d.resolve(ResolveRequest.newBuilder().setTeam(team).build()));
            answers.add(answer);
            TeamPlacement p = answer.getPlacement();
            table.row(p.getTeam(), p.getShardId(), answer.getShard().getPrimary(), p.getEpoch());
        }
        printer.printList(answers.stream().map(a -> new ProtoView(a, "")).toList(), table.text());
        printer.print(new TeamsPerShard(answers.stream().collect(Collectors.groupingBy(
                a -> a.getPlacement().getShardId(), TreeMap::new, Collectors.counting()))));
        return answers;
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
