package io.thoonk.client;

import io.lettuce.core.ScriptOutputType;
import io.thoonk.contract.Keys;
import io.thoonk.contract.Script;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exactly-once retries: a script call that repeats a request id (KEYS[7],
 * {@code thoonk.request:<team>:<id>}) is answered with the first call's reply and changes nothing,
 * for every kind of write; a call without one (or with a new one) is applied as usual. This is
 * what lets the client retry a write whose reply it lost (a failover, a reconnect) without
 * applying it twice.
 */
class RequestIdTest extends ClientTestSupport {


    /** One script call as the client makes it, with request id {@code requestId} (null: none). */
    <T> T call(Script script, String type, String name, String requestId, ScriptOutputType output, String... args) {
        String team = "5";
        String[] keys = Keys.common(name, team, Keys.specific(type, name));
        if (requestId != null) {
            keys = Keys.withRequest(keys, team, requestId);
        }
        String[] all = new String[4 + args.length];
        all[0] = name;
        all[1] = "test";
        all[2] = "";
        all[3] = "100";
        System.arraycopy(args, 0, all, 4, args.length);
        return script.<T>run(peerConnection().async(), output, keys, all).join();
    }

    @Test
    void a_repeated_publish_batch_answers_the_first_revisions_and_publishes_once() {
        String feed = "team:5:news";
        List<Object> first = call(Script.FEED, "feed", feed, "r1", ScriptOutputType.MULTI,
                "publish", "a", "one", "b", "two");
        List<Object> again = call(Script.FEED, "feed", feed, "r1", ScriptOutputType.MULTI,
                "publish", "a", "one", "b", "two");

        assertThat(first).containsExactly(1L, 2L);
        assertThat(again).isEqualTo(first);
        assertThat(thoonk.feed(feed).revision()).isEqualTo(2);
        assertThat(thoonk.feed(feed).replay(1)).extracting(Event::type).containsExactly(EventType.PUBLISH,
                EventType.PUBLISH);
        assertThat(peer().get(Keys.request("5", "r1"))).isEqualTo("[1,2]");
        assertThat(peer().pttl(Keys.request("5", "r1"))).isBetween(50_000L, 60_000L);

        // without a request id (or with another one) the same publish is applied again: an edit
        assertThat(this.<List<Object>>call(Script.FEED, "feed", feed, null, ScriptOutputType.MULTI,
                "publish", "a", "one")).containsExactly(3L);
        assertThat(this.<List<Object>>call(Script.FEED, "feed", feed, "r2", ScriptOutputType.MULTI,
                "publish", "a", "one")).containsExactly(4L);
    }

    @Test
    void a_repeated_queue_put_puts_once_and_a_repeated_take_takes_once() {
        String queue = "team:5:q";
        Long put = call(Script.QUEUE, "queue", queue, "p1", ScriptOutputType.INTEGER, "put", "i1", "first\0é", "");
        assertThat((Long) call(Script.QUEUE, "queue", queue, "p1", ScriptOutputType.INTEGER, "put", "i1", "first\0é", ""))
                .isEqualTo(put);
        call(Script.QUEUE, "queue", queue, "p2", ScriptOutputType.INTEGER, "put", "i2", "second", "");
        assertThat(thoonk.queue(queue).size()).isEqualTo(2);

        List<Object> taken = call(Script.QUEUE, "queue", queue, "t1", ScriptOutputType.MULTI, "take", "", "", "");
        List<Object> again = call(Script.QUEUE, "queue", queue, "t1", ScriptOutputType.MULTI, "take", "", "", "");

        assertThat(taken).containsExactly("i1", "first\0é", 3L);
        assertThat(again).isEqualTo(taken);
        assertThat(thoonk.queue(queue).get(Duration.ZERO)).as("the second item is still there").contains("second");
        assertThat(thoonk.queue(queue).get(Duration.ZERO)).isEmpty();
    }

    @Test
    void a_repeated_job_finish_answers_its_first_reply_where_a_new_finish_is_refused() {
        Jobs jobs = thoonk.jobs("team:5:jobs");
        jobs.put("work", "j1", Priority.NORMAL);
        assertThat(jobs.get(Duration.ZERO)).map(Job::id).contains("j1");

        Long finished = call(Script.JOBS, "job", "team:5:jobs", "f1", ScriptOutputType.INTEGER, "finish", "j1", "done", "1");
        Long repeated = call(Script.JOBS, "job", "team:5:jobs", "f1", ScriptOutputType.INTEGER, "finish", "j1", "done", "1");

        assertThat(repeated).isEqualTo(finished);
        assertThat(jobs.revision()).isEqualTo(finished);
        assertThat(peer().get(Keys.finishes("team:5:jobs"))).isEqualTo("1");
        assertThatThrownBy(() -> call(Script.JOBS, "job", "team:5:jobs", "f2", ScriptOutputType.INTEGER,
                "finish", "j1", "done", "1")).hasMessageContaining("NOSUCHITEM");
    }

    @Test
    void a_refused_write_and_an_empty_take_are_not_remembered() {
        assertThatThrownBy(() -> call(Script.FEED, "feed", "team:5:f", "e1", ScriptOutputType.INTEGER,
                "edit", "missing", "x", "")).hasMessageContaining("NOSUCHITEM");
        assertThat(peer().exists(Keys.request("5", "e1"))).isZero();
        Object empty = call(Script.QUEUE, "queue", "team:5:q", "t1", ScriptOutputType.MULTI, "take", "", "", "");
        assertThat(empty == null || ((List<?>) empty).isEmpty() || ((List<?>) empty).get(0) == null).isTrue();
        assertThat(peer().exists(Keys.request("5", "t1"))).isZero();
    }

    @Test
    void the_client_gives_every_write_call_a_request_id_of_its_own_and_none_to_reads() {
        Feed feed = thoonk.feed("team:5:mine");
        feed.publish("a", "1");
        feed.publish("b", "2");
        thoonk.queue("team:5:q").put("x");
        thoonk.registry().create("team:5:other", ObjectType.FEED, java.util.Map.of());
        feed.ids();
        feed.get("1");
        thoonk.registry().typeOf("team:5:mine");

        List<String> requests = peer().keys(Keys.REQUEST_PREFIX + "*");
        assertThat(requests).hasSize(4).allMatch(k -> k.startsWith("thoonk.request:5:"));
        assertThat(feed.all()).extracting(Item::value).containsExactly("a", "b");
    }
}
