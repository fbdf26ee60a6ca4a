package io.thoonk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.thoonk.cli.CliRunner.Result;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FeedCommandTest extends RedisCliTestSupport {

    @Test
    void publishedItemIsListedByAll() {
        Result published = cli.run("feed", "publish", "team:1:news", "hello, team", "--id", "greeting");
        assertThat(published.exitCode()).as(published.toString()).isZero();
        assertThat(published.out()).contains("greeting").contains("revision 1");

        Result all = cli.run("feed", "all", "team:1:news");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines()).containsExactly("greeting\thello, team");
        assertThat(all.err()).isEmpty();
    }

    @Test
    void jsonOutputIsOneObjectPerLine() {
        cli.run("feed", "publish", "news", "first");
        cli.run("feed", "publish", "news", "{\"title\": \"second\"}", "--id", "two");

        Result all = cli.run("--output", "json", "feed", "all", "news");
        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines()).hasSize(2);
        List<JsonNode> items = all.json();
        assertThat(items).allSatisfy(item -> assertThat(item.get("name").asText()).isEqualTo("news"));
        assertThat(items.get(0).get("item").asText()).isEqualTo("first");
        assertThat(items.get(1).get("id").asText()).isEqualTo("two");
        assertThat(items.get(1).get("item").asText()).isEqualTo("{\"title\": \"second\"}");
        assertThat(items.get(1).get("revision").asLong()).isEqualTo(2);

        Result written = cli.run("feed", "edit", "news", "two", "2nd", "--expect-revision", "2", "--output", "json");
        JsonNode edit = CliRunner.parse(written.out());
        assertThat(edit.get("action").asText()).isEqualTo("edited");
        assertThat(edit.get("revision").asLong()).isEqualTo(3);
    }

    @Test
    void subscribePrintsEachEventAsJsonAndStopsAfterCount() throws Exception {
        CompletableFuture<Result> subscriber = CompletableFuture.supplyAsync(
                () -> cli.run("feed", "subscribe", "live", "--count", "2", "--output", "json"));
        await().atMost(Duration.ofSeconds(10)).until(() -> subscribers("feed.event:live") > 0);

        assertThat(cli.run("feed", "publish", "live", "one", "--id", "a").exitCode()).isZero();
        assertThat(cli.run("feed", "edit", "live", "a", "uno").exitCode()).isZero();

        Result result = subscriber.get(10, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<JsonNode> events = result.json();
        assertThat(events).extracting(e -> e.get("revision").asLong()).containsExactly(1L, 2L);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("publish", "edit");
        assertThat(events).extracting(e -> e.get("item").asText()).containsExactly("one", "uno");
        assertThat(events.get(0).fieldNames()).as("no empty position outside sorted feeds").toIterable()
                .containsExactly("name", "type", "id", "item", "revision");
    }

    @Test
    void subscribeAsTextPrintsReadableLines() throws Exception {
        CompletableFuture<Result> subscriber = CompletableFuture.supplyAsync(
                () -> cli.run("feed", "subscribe", "live", "--count", "2", "--output", "text"));
        await().atMost(Duration.ofSeconds(10)).until(() -> subscribers("feed.event:live") > 0);

        assertThat(cli.run("feed", "publish", "live", "one", "--id", "a").exitCode()).isZero();
        assertThat(cli.run("feed", "retract", "live", "a").exitCode()).isZero();

        Result result = subscriber.get(10, TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.lines()).containsExactly("live publish id=a item=one revision=1", "live retract id=a revision=2");
    }

    @Test
    void subscribeReplaysFromRevision() {
        cli.run("feed", "publish", "past", "one");
        cli.run("feed", "publish", "past", "two");

        Result result = cli.run("feed", "subscribe", "past", "--from-revision", "1", "--count", "2", "--output", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.json()).extracting(e -> e.get("item").asText()).containsExactly("one", "two");
    }

    @Test
    void invalidNameIsAUsageError() {
        Result result = cli.run("feed", "publish", "bad name", "item");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("thoonk: ").contains("bad name");
        assertThat(result.out()).isEmpty();
    }

    @Test
    void missingItemIsAFailure() {
        Result result = cli.run("feed", "get", "news", "nope");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).isEqualTo("thoonk: 'news' has no item with id 'nope'" + System.lineSeparator());
    }

    @Test
    void retractOfAMissingItemIsAFailure_likeGetAndEdit() {
        cli.run("feed", "publish", "news", "x", "--id", "a");

        Result retracted = cli.run("feed", "retract", "news", "a");
        assertThat(retracted.exitCode()).as(retracted.toString()).isZero();
        assertThat(retracted.out()).contains("retracted a");

        Result again = cli.run("feed", "retract", "news", "a");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("thoonk: 'news' has no item with id 'a'" + System.lineSeparator());
        assertThat(again.out()).isEmpty();
        assertThat(cli.run("feed", "ids", "news").lines()).isEmpty();
    }

    private static long subscribers(String channel) {
        String[] reply = redis.primary().call("PUBSUB NUMSUB " + channel).split("\n");
        return Long.parseLong(reply[reply.length - 1]);
    }
}
