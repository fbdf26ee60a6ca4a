package io.thoonk.cli;

import io.thoonk.client.InvalidArgumentException;
import io.thoonk.proto.CoordinatorChannels;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.util.Arrays;
import java.util.List;

/**
 * Which coordinators to ask, shared by every command that talks to the coordinator API:
 * {@code --coordinator host:port[,host:port...]}, else the {@code THOONK_COORDINATOR} environment
 * variable, else {@value #DEFAULT_COORDINATOR}. Like {@link ConnectionOptions}, mixed into a command
 * group its option is inherited by all the group's subcommands.
 */
public final class CoordinatorOptions {

    /** Environment variable with the coordinator addresses used when {@code --coordinator} is not given. */
    public static final String COORDINATOR_ENV = "THOONK_COORDINATOR";
    /** Address used when neither {@code --coordinator} nor {@code THOONK_COORDINATOR} is set. */
    public static final String DEFAULT_COORDINATOR = "127.0.0.1:7400";

    @Option(names = "--coordinator", paramLabel = "HOST:PORT[,HOST:PORT...]", scope = ScopeType.INHERIT,
            description = "Coordinators to ask; any that is up answers (default: $" + COORDINATOR_ENV
                    + ", else " + DEFAULT_COORDINATOR + ").")
    private String coordinator;

    /** The coordinator addresses given. */
    public List<String> addresses() {
        String given = coordinator;
        if (given == null) {
            String fromEnv = System.getenv(COORDINATOR_ENV);
            given = fromEnv == null || fromEnv.isBlank() ? DEFAULT_COORDINATOR : fromEnv;
        }
        return parse(given);
    }

    /** Connects (lazily) to {@link #addresses()}. */
    public CoordinatorClient open() {
        return new CoordinatorClient(addresses());
    }

    /** Splits {@code host:port[,host:port...]}, refusing anything else with an {@link InvalidArgumentException}. */
    static List<String> parse(String addresses) {
        List<String> list = Arrays.stream(addresses.split(",")).map(String::trim).filter(a -> !a.isEmpty()).toList();
        if (list.isEmpty()) {
            throw new InvalidArgumentException("no coordinator address given; expected host:port[,host:port...]");
        }
        list.forEach(CoordinatorOptions::checkAddress);
        return list;
    }

    private static void checkAddress(String address) {
        try {
            CoordinatorChannels.checkAddress(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(e.getMessage());
        }
    }
}
