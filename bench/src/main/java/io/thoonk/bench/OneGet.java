package io.thoonk.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The yardstick of the start-up benchmark ({@link StartupBench}): the least a Java program that
 * talks to Redis does. A plain JVM runs it on the CLI's jar: it connects with Lettuce, sends one
 * GET, prints the answer, and shuts Lettuce down.
 *
 * <p>Usage: {@code java -cp thoonk.jar:<bench classes> io.thoonk.bench.OneGet REDIS_URI KEY}
 */
public final class OneGet {

    private OneGet() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: OneGet REDIS_URI KEY");
        }
        RedisClient client = RedisClient.create(args[0]);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            System.out.println(connection.sync().get(args[1]));
        } finally {
            client.shutdown();
        }
    }
}
