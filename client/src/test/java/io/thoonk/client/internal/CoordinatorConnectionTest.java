package io.thoonk.client.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.thoonk.proto.v1.DirectoryChange;
import io.thoonk.proto.v1.DirectoryGrpc;
import io.thoonk.proto.v1.ReloadRequired;
import io.thoonk.proto.v1.WatchRequest;
import io.thoonk.proto.v1.WatchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Watch stream's retries against a real gRPC server whose Directory.Watch fails on purpose
 * (INTERNAL, which gRPC itself does not retry): the client must back off exponentially, say so in
 * its log without flooding it, and start again from the shortest delay once a stream works.
 */
class CoordinatorConnectionTest {

    /** Watch calls as the server saw them: when, and how each was answered. */
    private final List<Long> watchCalls = new CopyOnWriteArrayList<>();
    /** Calls (1-based) that deliver one change before failing. */
    private final List<Integer> succeeding = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CoordinatorConnection.class);
    private final ExecutorService callbacks = Executors.newCachedThreadPool();
    private Server server;
    private CoordinatorConnection connection;

    @BeforeEach
    void start() throws Exception {
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new DirectoryGrpc.DirectoryImplBase() {
                    @Override
                    public void watch(WatchRequest request, StreamObserver<WatchResponse> out) {
                        watchCalls.add(System.nanoTime());
                        if (succeeding.contains(watchCalls.size())) {
                            out.onNext(WatchResponse.newBuilder().setChange(DirectoryChange.newBuilder()
                                    .setRevision(request.getFromRevision()).setRemovedShardId("none")).build());
                        }
                        out.onError(Status.INTERNAL.withDescription("broken on purpose").asRuntimeException());
                    }
                }).build().start();
        log.start();
        logger.addAppender(log);
        connection = new CoordinatorConnection(List.of("127.0.0.1:" + server.getPort()), Duration.ofSeconds(5),
                callbacks);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(log);
        connection.close();
        server.shutdownNow();
        callbacks.shutdownNow();
    }

    private void follow() {
        AtomicInteger revision = new AtomicInteger();
        connection.follow(new CoordinatorConnection.Follower() {
            @Override
            public long nextRevision() {
                return revision.get() + 1;
            }

            @Override
            public void onChange(DirectoryChange change) {
                revision.set((int) change.getRevision());
            }

            @Override
            public CompletableFuture<Void> onReload(ReloadRequired reload) {
                return CompletableFuture.completedFuture(null);
            }
        });
    }

    private List<Long> gapsMillis() {
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < watchCalls.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(watchCalls.get(i) - watchCalls.get(i - 1)));
        }
        return gaps;
    }

    private List<ILoggingEvent> logged(Level level) {
        return log.list.stream().filter(e -> e.getLevel() == level).toList();
    }

    @Test
    void a_failing_watch_backs_off_exponentially_and_warns_once_per_interval() {
        follow();
        await().atMost(Duration.ofSeconds(15)).until(() -> watchCalls.size() >= 5);

        List<Long> gaps = gapsMillis().subList(0, 4);
        // 250, 500, 1000, 2000 ms, each within a fifth either way: a loaded machine only adds to a
        // gap, so the lower bounds are exact and the upper ones generous
        for (int i = 0; i < gaps.size(); i++) {
            assertThat(gaps.get(i)).as("gap %d of %s", i, gaps).isGreaterThanOrEqualTo((250L << i) * 4 / 5);
        }
        assertThat(gaps.get(0)).as("starts short: %s", gaps).isLessThan(1_000L);
        assertThat(gaps.get(3)).as("grows: %s", gaps).isGreaterThan(gaps.get(0) * 3);
        List<ILoggingEvent> warnings = logged(Level.WARN);
        assertThat(warnings).as("one warning for the whole series, not one per attempt").hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage()).contains("directory watch", "INTERNAL", "broken on purpose",
                "127.0.0.1:" + server.getPort());
    }

    @Test
    void a_watch_that_works_again_resets_the_backoff_and_says_so() {
        succeeding.add(5);
        follow();
        await().atMost(Duration.ofSeconds(20)).until(() -> watchCalls.size() >= 7);

        List<Long> gaps = gapsMillis();
        // gaps 0..3 back off (up to ~2 s); call 5 delivered a change: the next retries start short
        // again (~250 and ~500 ms), where going on would have waited at least 3.2 s and 4 s
        assertThat(gaps.get(3)).isGreaterThan(1_200L);
        assertThat(gaps.get(4)).as("gaps %s", gaps).isLessThan(1_000L);
        assertThat(gaps.get(5)).as("gaps %s", gaps).isLessThan(1_500L);
        assertThat(logged(Level.INFO)).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(m -> assertThat(m).contains("works again after 4 failed attempt(s)"));
        assertThat(logged(Level.WARN)).as("a new series after a success warns again").hasSize(2);
    }
}
