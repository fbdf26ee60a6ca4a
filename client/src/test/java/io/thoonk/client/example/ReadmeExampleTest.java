package io.thoonk.client.example;

import io.thoonk.client.Item;
import io.thoonk.client.JobState;
import io.thoonk.client.Thoonk;
import io.thoonk.testing.RedisShardExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's example compiles with its imports and does what the README says, against a real Redis. */
class ReadmeExampleTest {

    @RegisterExtension
    static final RedisShardExtension redis = RedisShardExtension.primaryOnly();

    @Test
    void the_readme_example_runs_and_leaves_what_it_describes() throws Exception {
        ReadmeExample.run(redis.primaryUri());

        try (Thoonk thoonk = Thoonk.connect(redis.primaryUri())) {
            assertThat(thoonk.feed("team:353:news").all()).extracting(Item::value)
                    .containsExactly("{\"title\":\"hello, world\"}");
            assertThat(thoonk.sortedFeed("team:353:agenda").all()).extracting(Item::value)
                    .containsExactly("demo", "intro");
            assertThat(thoonk.queue("team:353:inbox").get(Duration.ofMillis(100))).as("the mail was taken").isEmpty();
            for (JobState open : new JobState[] {JobState.QUEUED, JobState.CLAIMED, JobState.STALLED}) {
                assertThat(thoonk.jobs("team:353:render").list(open)).as("the worker finished the job").isEmpty();
            }
        }
    }
}
