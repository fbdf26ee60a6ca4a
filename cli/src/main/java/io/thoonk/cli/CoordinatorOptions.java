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
 * variable, else the running {@code thoonk dev}, else the command fails saying how to point it
 * somewhere ({@link Target}). Like {@link ConnectionOptions}, mixed into a command group its option
 * is inherited by all the group's subcommands.
 */
public final class CoordinatorOptions {

    @Option(names = "--coordinator", paramLabel = "HOST:PORT[,HOST:PORT...]", scope = ScopeType.INHERIT,
            description = "Coordinators to ask; any that is up answers (default: $" + Target.COORDINATOR_ENV
                    + ", else the local cluster of a running ./thoonk dev).")
    private String coordinator;

    /** The coordinators to ask, and what chose them. */
    Target target() {
        return Target.resolve(null, coordinator, false, Target.NO_COORDINATOR_GIVEN);
    }

    /** Connects (lazily) to {@link #target()}. */
    public CoordinatorClient open() {
        return new CoordinatorClient(target());
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
