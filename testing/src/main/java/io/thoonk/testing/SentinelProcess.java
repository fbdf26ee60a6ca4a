package io.thoonk.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One real Redis Sentinel ({@code redis-server sentinel.conf --sentinel}, from the same package as
 * redis-server) on a free port of 127.0.0.1, monitoring one master: the baseline the failover
 * benchmark measures the cluster against, and what tests of Sentinel behaviour start.
 *
 * <p>{@link #monitoring} writes the configuration file ({@code sentinel monitor NAME HOST PORT QUORUM}
 * and one {@code sentinel OPTION NAME VALUE} line per option) into the process's own temporary
 * directory, where Sentinel rewrites it, and returns once the process answers (20 s deadline, as
 * {@link RedisProcess}). Sentinels find each other and the replicas through the master (hello
 * messages every 2 s): call {@link #awaitPeers} before relying on a failover. {@link #close()} kills
 * the process and deletes the directory, idempotent; the {@link Reaper} does it at JVM exit for one
 * nobody closed. Thread-safe.
 */
public final class SentinelProcess implements AutoCloseable {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern OPTION = Pattern.compile("[a-z][a-z-]*");
    private static final Pattern VALUE = Pattern.compile("\\S+");

    private final String masterName;
    private final RedisProcess process;

    private SentinelProcess(String masterName, RedisProcess process) {
        this.masterName = masterName;
        this.process = process;
    }

    /**
     * Starts a Sentinel monitoring {@code master} under {@code masterName}, with {@code quorum}
     * Sentinels needed to agree it is down, and per-master options such as
     * {@code down-after-milliseconds=500}, {@code failover-timeout=5000}, {@code parallel-syncs=1}.
     *
     * @throws IllegalArgumentException     if the name, quorum or an option is not something Sentinel takes
     *                                      (names: letters, digits, {@code . _ -}; options: lower-case words
     *                                      with dashes; values: one word)
     * @throws RedisServerNotFoundException if there is no redis-server binary
     * @throws FixtureException             if it exits at start, e.g. on an option Sentinel does not know (the
     *                                      message quotes its log)
     * @throws FixtureTimeoutException      if it does not answer within 20 s
     */
    public static SentinelProcess monitoring(String masterName, RedisProcess master, int quorum,
                                             Map<String, String> options) {
        Objects.requireNonNull(masterName, "masterName == null");
        Objects.requireNonNull(master, "master == null");
        Objects.requireNonNull(options, "options == null");
        if (!NAME.matcher(masterName).matches()) {
            throw new IllegalArgumentException("masterName must be letters, digits, '.', '_' or '-', was '"
                    + masterName + "'");
        }
        if (quorum < 1) {
            throw new IllegalArgumentException("quorum must be >= 1, was " + quorum);
        }
        List<String> lines = new ArrayList<>();
        lines.add("sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " " + quorum);
        options.forEach((option, value) -> {
            if (option == null || !OPTION.matcher(option).matches() || value == null || !VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("a Sentinel option is a lower-case word with dashes and its value "
                        + "one word (e.g. down-after-milliseconds=500), was " + option + "=" + value);
            }
            lines.add("sentinel " + option + " " + masterName + " " + value);
        });
        return new SentinelProcess(masterName, RedisProcess.startSentinel(lines));
    }

    /** The name the master is monitored under, as Sentinel clients ask for it. */
    public String masterName() {
        return masterName;
    }

    public String host() {
        return process.host();
    }

    public int port() {
        return process.port();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return process.address();
    }

    /**
     * The master's {@code host:port} as this Sentinel names it now ({@code SENTINEL
     * get-master-addr-by-name}): the promoted replica once a failover has reconfigured.
     *
     * @throws FixtureException if the Sentinel does not answer within 5 s
     */
    public String masterAddress() {
        String reply = call("SENTINEL get-master-addr-by-name " + masterName);
        if (reply == null) {
            throw new FixtureException(this + " monitors no master named " + masterName);
        }
        return reply.replace('\n', ':');
    }

    /**
     * What this Sentinel knows of the master ({@code SENTINEL MASTER}): {@code flags},
     * {@code num-slaves}, {@code num-other-sentinels}, {@code failover-state}, ...
     *
     * @throws FixtureException if the Sentinel does not answer within 5 s
     */
    public Map<String, String> master() {
        String[] fields = call("SENTINEL MASTER " + masterName).split("\n", -1);
        Map<String, String> info = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            info.put(fields[i], fields[i + 1]);
        }
        return info;
    }

    /**
     * Waits until this Sentinel knows {@code replicas} replicas of the master and {@code otherSentinels}
     * other Sentinels: before that, a failover cannot reach its quorum or elect a leader.
     *
     * @throws FixtureTimeoutException if it does not within {@code timeout}
     */
    public void awaitPeers(int replicas, int otherSentinels, Duration timeout) {
        Deadline.await(timeout, this + " did not learn of " + replicas + " replica(s) and " + otherSentinels
                + " other Sentinel(s)", () -> {
            Map<String, String> m = master();
            return Integer.parseInt(m.getOrDefault("num-slaves", "0")) >= replicas
                    && Integer.parseInt(m.getOrDefault("num-other-sentinels", "0")) >= otherSentinels;
        });
    }

    /**
     * One command, as {@link RedisProcess#call(String)}: space-separated words, reply as text.
     *
     * @throws FixtureException if the Sentinel does not answer within 5 s or answers an error
     */
    public String call(String command) {
        return process.call(command);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process and deletes its directory; idempotent. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "redis-sentinel[" + address() + ", " + masterName + "]";
    }
}
