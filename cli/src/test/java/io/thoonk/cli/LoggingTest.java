package io.thoonk.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CLI's logging configuration (logback.xml, {@link Logging}), as it applies in this JVM: the
 * console gets Thoonk's own warnings, one line each, and nothing of the libraries; java.util.logging
 * (gRPC's) goes through SLF4J, so the same rules hold for it.
 */
class LoggingTest {

    @BeforeAll
    static void configure() {
        ThoonkCli.commandLine();
    }

    @Test
    void library_errors_stay_off_the_console_and_thoonk_warnings_are_one_line_without_stack_trace() {
        String console = console(() -> {
            LoggerFactory.getLogger("org.apache.curator.framework.imps.CuratorFrameworkImpl")
                    .error("Background retry gave up", new IllegalStateException("KeeperErrorCode = ConnectionLoss"));
            java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport")
                    .log(Level.INFO, "Transport failed", new IllegalStateException("Unexpected HTTP/1.x request"));
            java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl")
                    .log(Level.WARNING, "Failed to resolve name");
            LoggerFactory.getLogger("io.thoonk.coordinator.Example")
                    .warn("lost the ZooKeeper session", new IllegalStateException("expired"));
        });

        assertThat(console).isEqualTo("thoonk: WARN: lost the ZooKeeper session" + System.lineSeparator());
    }

    @Test
    void java_util_logging_goes_through_slf4j_only() {
        assertThat(java.util.logging.Logger.getLogger("").getHandlers())
                .hasSize(1).allMatch(handler -> handler instanceof SLF4JBridgeHandler);
    }

    /** What {@code logging} writes to stderr (where the console appender writes). */
    private static String console(Runnable logging) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            logging.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
