package io.thoonk.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * What the CLI logs where (see logback.xml): by default only Thoonk's own warnings and errors, one
 * line each on stderr, so a library's stack trace never reaches a person's terminal; with
 * {@code --verbose}, everything from INFO up with stack traces. Java util logging (gRPC logs
 * through it) is routed through SLF4J, so the same rules apply to it.
 */
final class Logging {

    private static volatile boolean verbose;

    private Logging() {
    }

    /** Routes java.util.logging through SLF4J instead of JUL's own console handler; idempotent. */
    static synchronized void routeJul() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }

    /** Logs everything from INFO up to stderr, with stack traces, for the rest of this process. */
    static synchronized void verbose() {
        if (verbose || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36}: %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("VERBOSE");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(appender);
        root.setLevel(Level.INFO);
        context.getLogger("io.thoonk").setLevel(Level.INFO);
        verbose = true;
    }

    /** Whether {@link #verbose()} was called. */
    static boolean isVerbose() {
        return verbose;
    }
}
