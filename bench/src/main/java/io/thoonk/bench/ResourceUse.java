package io.thoonk.bench;

import io.thoonk.testing.RedisProcess;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the CPU went during a round: the Redis server (from {@code INFO cpu}), this JVM, the
 * processes this JVM started and waited for (whole commands a benchmark runs), and every other
 * process on the machine (all of {@code /proc/stat} minus those), each in % of one core;
 * and the mean time Redis spent in one script call ({@code INFO commandstats}). Tells whether Redis
 * was the limit, and how much the neighbours on a shared machine took. For benchmarks that use no
 * Redis ({@link #jvmOnly()}) only this JVM and the other processes are recorded.
 */
final class ResourceUse {

    static final String REDIS_CPU = "redis CPU %";
    static final String JVM_CPU = "bench JVM CPU %";
    static final String CHILDREN_CPU = "bench children CPU %";
    static final String OTHER_CPU = "other procs CPU %";
    static final String SCRIPT_MICROS = "redis µs/script";
    static final String SCRIPT_CALLS = "script calls";

    /** {@code /proc/stat} counts in USER_HZ, 100 per second on Linux. */
    private static final double TICKS_PER_SECOND = 100;

    /** Microseconds of this JVM's CPU per operation in a round that ran {@code rate} operations per second. */
    static double jvmMicrosPerOp(Metrics round, String rate) {
        return round.get(JVM_CPU) / 100 * 1e6 / round.get(rate);
    }

    /**
     * Cumulative counters at one moment (CPU in seconds; machine CPU negative if unknown; children:
     * the processes this JVM started, once it has waited for them).
     */
    record Snapshot(long nanoTime, double redisCpu, double jvmCpu, double childrenCpu, double machineCpu,
                    long scriptCalls, long scriptMicros) {
    }

    /** The Redis server measured, or null. */
    private final RedisProcess redis;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    ResourceUse(RedisProcess redis) {
        this.redis = redis;
    }

    /** This JVM and the rest of the machine, for benchmarks in which no Redis does the work. */
    static ResourceUse jvmOnly() {
        return new ResourceUse(null);
    }

    Snapshot snapshot() {
        if (redis == null) {
            return new Snapshot(System.nanoTime(), 0, os.getProcessCpuTime() / 1e9, childrenCpuSeconds(),
                    machineCpuSeconds(), 0, 0);
        }
        String cpu = redis.call("INFO cpu");
        String commands = redis.call("INFO commandstats");
        long calls = 0;
        long micros = 0;
        for (String command : new String[] {"evalsha", "eval"}) {
            calls += commandStat(commands, command, "calls");
            micros += commandStat(commands, command, "usec");
        }
        return new Snapshot(System.nanoTime(), field(cpu, "used_cpu_sys") + field(cpu, "used_cpu_user"),
                os.getProcessCpuTime() / 1e9, childrenCpuSeconds(), machineCpuSeconds(), calls, micros);
    }

    /** Adds what was used since {@code before}. */
    void addSince(Snapshot before, Metrics metrics) {
        Snapshot now = snapshot();
        double wall = (now.nanoTime() - before.nanoTime()) / 1e9;
        double redisCpu = now.redisCpu() - before.redisCpu();
        double jvmCpu = now.jvmCpu() - before.jvmCpu();
        double childrenCpu = now.childrenCpu() - before.childrenCpu();
        if (redis != null) {
            metrics.put(REDIS_CPU, 100 * redisCpu / wall);
        }
        metrics.put(JVM_CPU, 100 * jvmCpu / wall);
        if (childrenCpu > 0) {
            metrics.put(CHILDREN_CPU, 100 * childrenCpu / wall);
        }
        if (now.machineCpu() >= 0 && before.machineCpu() >= 0) {
            double others = now.machineCpu() - before.machineCpu() - redisCpu - jvmCpu - childrenCpu;
            metrics.put(OTHER_CPU, Math.max(0, 100 * others / wall));
        }
        if (redis == null) {
            return;
        }
        long calls = now.scriptCalls() - before.scriptCalls();
        metrics.put(SCRIPT_MICROS, calls == 0 ? Double.NaN
                : (now.scriptMicros() - before.scriptMicros()) / (double) calls);
        metrics.put(SCRIPT_CALLS, calls);
    }

    /**
     * CPU time of the processes this JVM started and has waited for (and of theirs), from
     * {@code /proc/self/stat} ({@code cutime + cstime}); 0 if unknown.
     */
    static double childrenCpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) may hold spaces: count the fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Busy CPU time of the whole machine (user, nice, system, irq, softirq, steal), or -1 if unknown. */
    private static double machineCpuSeconds() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += Long.parseLong(f[i]);
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double field(String info, String name) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(name + ":")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return 0;
    }

    /** {@code cmdstat_<command>:calls=..,usec=..,...}: one counter, 0 if the command never ran. */
    static long commandStat(String info, String command, String counter) {
        String prefix = "cmdstat_" + command + ":";
        for (String line : info.split("\r?\n")) {
            if (line.startsWith(prefix)) {
                for (String pair : line.substring(prefix.length()).split(",")) {
                    if (pair.startsWith(counter + "=")) {
                        return Long.parseLong(pair.substring(counter.length() + 1).trim());
                    }
                }
            }
        }
        return 0;
    }
}
