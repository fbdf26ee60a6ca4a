package io.thoonk.client.example;

import io.thoonk.client.Event;
import io.thoonk.client.Feed;
import io.thoonk.client.Item;
import io.thoonk.client.JobWorker;
import io.thoonk.client.Jobs;
import io.thoonk.client.ObjectType;
import io.thoonk.client.Position;
import io.thoonk.client.Priority;
import io.thoonk.client.Published;
import io.thoonk.client.Queue;
import io.thoonk.client.SortedFeed;
import io.thoonk.client.Subscription;
import io.thoonk.client.Thoonk;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The README's Java example ("The object API (Java)"), with the imports it needs, as an application
 * outside the client's package would write it. Keep the body of {@link #run} and the README's code
 * block the same (the README connects to {@code "redis://localhost:6379"}, here to {@code redisUri}):
 * {@link ReadmeExampleTest} compiles and runs it, so the README cannot show code that does not work.
 * ({@code Queue} must be imported by name: {@code java.util.*} has one too.)
 */
final class ReadmeExample {

    private ReadmeExample() {
    }

    @SuppressWarnings("unused") // the README shows the variables
    static void run(String redisUri) throws Exception {
        try (Thoonk thoonk = Thoonk.connect(redisUri)) {
            // Feeds: newest last, optional max_length
            Feed news = thoonk.feed("team:353:news");
            Subscription sub = thoonk.subscribePattern("team:353:*", event ->
                    System.out.println(event.type() + " " + event.id() + " rev " + event.revision()));
            Published p = news.publish("{\"title\":\"hello\"}");            // id generated
            news.edit(p.id(), "{\"title\":\"hello, world\"}", p.revision());  // fails with ConflictException if changed since
            List<Item> items = news.all();

            // Sorted feeds: manual order, contract positions
            SortedFeed agenda = thoonk.sortedFeed("team:353:agenda");
            String first = agenda.append("intro").id();
            agenda.publishAfter(first, "demo");
            agenda.move(first, Position.end());

            // Queues: FIFO, high priority first
            Queue inbox = thoonk.queue("team:353:inbox");
            inbox.put("mail", Priority.HIGH);
            Optional<String> next = inbox.get(Duration.ofSeconds(5));

            // Jobs: claim, finish with a result; timeouts and retry limits per queue
            Jobs render = thoonk.jobs("team:353:render");
            thoonk.registry().create(render.name(), ObjectType.JOB,
                    Map.of("timeout_ms", "30000", "max_attempts", "3"));
            String id = render.put("frame-1").id();
            try (JobWorker worker = JobWorker.builder(render, job -> "rendered " + job.payload())
                    .concurrency(4).heartbeat(Duration.ofSeconds(10)).build().start()) {
                Optional<String> result = render.awaitResult(id, Duration.ofSeconds(10));
            }

            // History and replay
            List<Event> missed = news.replay(1);
            thoonk.subscribe("team:353:news", 1, event -> { /* replays from revision 1, then live */ });
        }
    }
}
