package io.thoonk.bench;

import io.grpc.ManagedChannel;
import io.lettuce.core.LettuceVersion;
import io.thoonk.testing.RedisProcess;
import org.apache.zookeeper.Version;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the figures were measured on. */
final class Machine {

    private Machine() {
    }

    static List<String> describe(RedisProcess redis, String loadAtStart) {
        List<String> lines = new ArrayList<>();
        lines.add("CPU: " + Runtime.getRuntime().availableProcessors() + " cores (nproc), " + cpuModel());
        lines.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        lines.add("Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", flags `" + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()) + "`");
        lines.add("Redis: redis-server " + redisVersion(redis) + " on loopback, started by the benchmark, no persistence");
        lines.add("Lettuce: " + LettuceVersion.getVersion());
        lines.add("Directory benchmarks: ZooKeeper " + Version.getFullVersion().replaceAll(",.*", "")
                + " server in this JVM (thoonk-testing `ZooKeeperEnsemble`: curator-test `TestingCluster`, one server), "
                + "grpc-java " + grpcVersion()
                + ", plaintext on loopback");
        lines.add("Load average (1/5/15 min) at start: " + loadAtStart + "; at end: " + loadAverage());
        return lines;
    }

    static String loadAverage() {
        String line = read("/proc/loadavg");
        if (line == null) {
            return "unknown";
        }
        String[] f = line.trim().split("\\s+");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : line.trim();
    }

    private static String cpuModel() {
        String info = read("/proc/cpuinfo");
        if (info != null) {
            for (String line : info.split("\n")) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        return System.getProperty("os.arch");
    }

    /** grpc-java's version, from its jar's manifest (its own constant is in an internal package). */
    private static String grpcVersion() {
        String version = ManagedChannel.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    private static String redisVersion(RedisProcess redis) {
        for (String line : redis.call("INFO server").split("\r?\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length()).trim();
            }
        }
        return "unknown";
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
