package io.thoonk.proto;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.NameResolverRegistry;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The one way to reach "any of these coordinators": a single gRPC channel to a list of
 * {@code host:port} addresses, with failover left to grpc-java itself.
 *
 * <p>The channel's target names every address (scheme {@value #SCHEME}, resolved by this module's
 * own name resolver, which looks each host up again whenever gRPC asks). Its default service config
 * balances calls {@code round_robin} over the coordinators that are connected, so a coordinator that
 * is down, unreachable or shutting down is simply not picked, and retries every call of
 * {@code thoonk.v1.Directory} and {@code thoonk.v1.Admin} that fails {@code UNAVAILABLE} (up to
 * {@value #MAX_ATTEMPTS} attempts, backing off from 100 ms to 1 s), each attempt picking again, so
 * also on another coordinator. Any other status is the answer. The directory reads that are safe to
 * send twice, Resolve and ListShards, are hedged instead: one not answered within
 * {@value #HEDGING_DELAY} is also sent to the next coordinator (up to {@value #HEDGED_ATTEMPTS} in
 * all), and the first answer wins, so a coordinator that hangs with its connection open does not
 * stall them. A Watch stream is retried only until
 * its first response; after that, following it again is the caller's business.
 *
 * <p>Why here: this module is the coordinator's gRPC API, which the routing client, the CLI and
 * the tools all depend on, and it knows nothing of Redis or of the client's internals.
 */
public final class CoordinatorChannels {

    /** URI scheme of coordinator-list targets. */
    public static final String SCHEME = "thoonk-coordinators";
    /** Attempts per call, the first included, while coordinators answer {@code UNAVAILABLE}. */
    public static final int MAX_ATTEMPTS = 5;

    /**
     * Attempts of a hedged call: grpc-java sends the next one only after the hedging delay, also when
     * the last failed, so this bounds how long a call to coordinators that all refuse takes.
     */
    public static final int HEDGED_ATTEMPTS = 3;
    /** How long a read of the directory waits for an answer before it also asks another coordinator. */
    public static final String HEDGING_DELAY = "1s";

    private static final Map<String, ?> SERVICE_CONFIG = Map.of(
            "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
            "methodConfig", List.of(
                    Map.of("name", List.of(Map.of("service", "thoonk.v1.Directory"), Map.of("service", "thoonk.v1.Admin")),
                            "retryPolicy", Map.of(
                                    "maxAttempts", (double) MAX_ATTEMPTS,
                                    "initialBackoff", "0.1s",
                                    "maxBackoff", "1s",
                                    "backoffMultiplier", 2.0,
                                    "retryableStatusCodes", List.of("UNAVAILABLE"))),
                    // Resolve and ListShards are safe to send twice (a first Resolve places the team once,
                    // whoever asks): a coordinator that accepted the call but hangs does not hold them up
                    Map.of("name", List.of(Map.of("service", "thoonk.v1.Directory", "method", "Resolve"),
                                    Map.of("service", "thoonk.v1.Directory", "method", "ListShards")),
                            "hedgingPolicy", Map.of(
                                    "maxAttempts", (double) HEDGED_ATTEMPTS,
                                    "hedgingDelay", HEDGING_DELAY,
                                    "nonFatalStatusCodes", List.of("UNAVAILABLE")))));

    static {
        NameResolverRegistry.getDefaultRegistry().register(new CoordinatorNameResolverProvider());
    }

    private CoordinatorChannels() {
    }

    /**
     * A channel to {@code addresses} ({@code host:port} each, IPv6 hosts in brackets). Connects
     * lazily; the caller shuts it down.
     *
     * @throws IllegalArgumentException when the list is empty or an address is not {@code host:port}
     */
    public static ManagedChannel open(List<String> addresses) {
        return Grpc.newChannelBuilder(target(addresses), InsecureChannelCredentials.create())
                .defaultServiceConfig(SERVICE_CONFIG)
                .disableServiceConfigLookUp()
                .enableRetry()
                .maxRetryAttempts(MAX_ATTEMPTS)
                .build();
    }

    /** The gRPC target naming {@code addresses}, checked; see {@link #open}. */
    public static String target(List<String> addresses) {
        Objects.requireNonNull(addresses, "addresses == null");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no coordinator address given; expected host:port[,host:port...]");
        }
        return SCHEME + ":///" + addresses.stream().map(CoordinatorAddress::parse)
                .map(a -> URLEncoder.encode(a.toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining(","));
    }

    /**
     * Checks one {@code host:port} address.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static void checkAddress(String address) {
        CoordinatorAddress.parse(address);
    }
}
