package io.thoonk.client.internal;

import io.lettuce.core.RedisCommandExecutionException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which Redis answers mean "this node is no longer a writable primary": the calls a failover retries. */
class FailuresTest {

    @Test
    void answers_of_a_node_that_stopped_being_a_primary_are_retried_elsewhere() {
        for (String answer : new String[]{"READONLY You can't write against a read only replica.",
                "NOREPLICAS Not enough good replicas to write.", "LOADING Redis is loading the dataset in memory",
                "MASTERDOWN Link with MASTER is down",
                "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)"}) {
            assertThat(Failures.primaryUnavailable(new RedisCommandExecutionException(answer))).as(answer).isTrue();
        }
    }

    @Test
    void a_refusal_of_the_call_itself_is_not() {
        assertThat(Failures.primaryUnavailable(new RedisCommandExecutionException("ERR unknown command"))).isFalse();
        assertThat(Failures.primaryUnavailable(new RedisCommandExecutionException("WRONGTYPE feed"))).isFalse();
    }
}
