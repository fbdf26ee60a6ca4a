package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.client.ThoonkConnectionException;

import java.util.List;
import java.util.Optional;

/**
 * Where a command sends its calls, one Redis or a cluster's coordinators, and what chose it. The one
 * place that decides, in this order: {@code --coordinator} or {@code --redis} (not both), else
 * {@value #REDIS_ENV}, else {@value #COORDINATOR_ENV}, else the running {@code thoonk dev}
 * ({@link LocalClusterRecord}). With none of them a command fails with {@link #NOTHING_GIVEN}, which
 * says how to point it somewhere: there is no silent default address.
 *
 * @param redisUri     the Redis URI, or null for a cluster
 * @param coordinators the coordinators' addresses, or empty for one Redis
 * @param origin       what chose it, for messages: "--redis", "$THOONK_COORDINATOR", "the local cluster ..."
 */
record Target(String redisUri, List<String> coordinators, String origin) {

    /** Environment variable with the Redis URI used when neither flag is given. */
    static final String REDIS_ENV = "THOONK_REDIS";
    /** Environment variable with the coordinators used when no flag and no {@value #REDIS_ENV} is given. */
    static final String COORDINATOR_ENV = "THOONK_COORDINATOR";

    /** How to point a command somewhere; ends the failure of a command given no target. */
    static final String HOW_TO_POINT = "start a local cluster with ./thoonk dev (commands then use it), or set "
            + REDIS_ENV + " or " + COORDINATOR_ENV;

    /** The failure of a data command given nowhere to go. */
    static final String NOTHING_GIVEN = "no Redis or cluster given, and no local cluster is running: pass "
            + "--redis redis://HOST:PORT or --coordinator HOST:PORT, or " + HOW_TO_POINT;

    /** The failure of an admin command given no coordinator. */
    static final String NO_COORDINATOR_GIVEN = "no coordinator given, and no local cluster is running: pass "
            + "--coordinator HOST:PORT[,HOST:PORT...], set " + COORDINATOR_ENV
            + ", or start a local cluster with ./thoonk dev";

    Target {
        coordinators = List.copyOf(coordinators);
    }

    /** Whether the calls go through a cluster's coordinators. */
    boolean isCluster() {
        return redisUri == null;
    }

    /**
     * The target given by a flag or the environment, if any: {@code --coordinator} or {@code --redis}
     * (refusing both), else {@value #REDIS_ENV} if {@code redisAllowed}, else {@value #COORDINATOR_ENV}.
     */
    static Optional<Target> given(String redisFlag, String coordinatorFlag, boolean redisAllowed) {
        if (coordinatorFlag != null && redisFlag != null) {
            throw new InvalidArgumentException("give either --redis or --coordinator, not both");
        }
        if (coordinatorFlag != null) {
            return Optional.of(cluster(coordinatorFlag, "--coordinator"));
        }
        if (redisFlag != null) {
            return Optional.of(new Target(redisFlag, List.of(), "--redis"));
        }
        Optional<String> redisEnv = env(REDIS_ENV);
        if (redisAllowed && redisEnv.isPresent()) {
            return Optional.of(new Target(redisEnv.get(), List.of(), "$" + REDIS_ENV));
        }
        return env(COORDINATOR_ENV).map(addresses -> cluster(addresses, "$" + COORDINATOR_ENV));
    }

    /** The running {@code thoonk dev} cluster, if any. */
    static Optional<Target> localCluster() {
        return LocalClusterRecord.find().map(r -> new Target(null, r.coordinators(), r.describe()));
    }

    /**
     * {@link #given}, else {@link #localCluster()}, else a failure with {@code nothingGiven}.
     *
     * @throws InvalidArgumentException when there is no target
     */
    static Target resolve(String redisFlag, String coordinatorFlag, boolean redisAllowed, String nothingGiven) {
        return given(redisFlag, coordinatorFlag, redisAllowed).or(Target::localCluster)
                .orElseThrow(() -> new InvalidArgumentException(nothingGiven));
    }

    /** Whether a flag chose it (else the environment or the local cluster did, which messages say). */
    boolean fromFlag() {
        return origin.startsWith("--");
    }

    /**
     * What chose this target, to end a failure's message: {@code "; the address comes from
     * $THOONK_REDIS"}, or nothing if a flag on the command line did.
     */
    String whereFrom() {
        return fromFlag() ? "" : "; the address comes from " + origin;
    }

    /** {@code failure} saying what chose this target ({@link #whereFrom()}). */
    ThoonkConnectionException explain(ThoonkConnectionException failure) {
        return fromFlag() ? failure : new ThoonkConnectionException(failure.getMessage() + whereFrom(), failure);
    }

    /**
     * For messages: {@code the Redis at URI} (without a password it may hold) or {@code the cluster
     * of coordinator(s) A, B}.
     */
    String describe() {
        return isCluster() ? "the cluster of coordinator(s) " + String.join(", ", coordinators)
                : "the Redis at " + withoutPassword(redisUri);
    }

    /** {@code uri} for messages: its user and password, if any, left out. */
    static String withoutPassword(String uri) {
        return uri.replaceFirst("//[^@/]*@", "//");
    }

    private static Target cluster(String addresses, String origin) {
        return new Target(null, CoordinatorOptions.parse(addresses), origin);
    }

    private static Optional<String> env(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }
}
