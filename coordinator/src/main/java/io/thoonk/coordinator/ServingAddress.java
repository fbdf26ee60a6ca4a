package io.thoonk.coordinator;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Where a coordinator listens ({@code bind}) and the host it advertises ({@code host}), worked out
 * from its config before anything starts, so a pair that cannot work is refused up front: a
 * coordinator listening on loopback only but advertising an address other machines use (or the
 * reverse) would be registered at an address nobody can reach it at.
 *
 * @param listen         the socket address to listen on (its port may be 0)
 * @param advertisedHost the host clients and other coordinators reach this one at
 */
record ServingAddress(InetSocketAddress listen, String advertisedHost) {

    static ServingAddress of(CoordinatorConfig config) {
        InetSocketAddress listen = new InetSocketAddress(config.bind(), config.grpcPort());
        if (listen.isUnresolved()) {
            throw new IllegalArgumentException("bind address '" + config.bind() + "' does not resolve to an address "
                    + "of this machine; use an IP address of one of its interfaces, " + CoordinatorConfig.DEFAULT_BIND
                    + " for this machine only, or 0.0.0.0 for every interface");
        }
        InetAddress bound = listen.getAddress();
        if (config.host() == null) {
            return new ServingAddress(listen, bound.isAnyLocalAddress() ? localHostName() : config.bind());
        }
        checkReachable(config.host(), bound, config.bind());
        return new ServingAddress(listen, config.host());
    }

    /** True when the server listens on every interface. */
    boolean everyInterface() {
        return listen.getAddress().isAnyLocalAddress();
    }

    /**
     * Refuses a host that, by its resolved addresses, cannot reach a server bound to {@code bound}:
     * a loopback bind advertised as a non-loopback host, or the reverse. A host that does not
     * resolve here (DNS not ready yet, a name only clients know) is taken as given.
     */
    private static void checkReachable(String host, InetAddress bound, String bind) {
        if (bound.isAnyLocalAddress()) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException unresolved) {
            return;
        }
        boolean hostLoopback = Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        boolean hostElsewhere = Arrays.stream(addresses).noneMatch(InetAddress::isLoopbackAddress);
        if (bound.isLoopbackAddress() && hostElsewhere) {
            throw new IllegalArgumentException("host '" + host + "' is advertised to clients and other coordinators, "
                    + "but the coordinator would listen on " + bind + " (loopback) only, where they cannot reach it; "
                    + "set bind to this machine's address that '" + host + "' reaches, or to 0.0.0.0 for every "
                    + "interface");
        }
        if (!bound.isLoopbackAddress() && hostLoopback) {
            throw new IllegalArgumentException("host '" + host + "' (loopback) is advertised to clients and other "
                    + "coordinators, but the coordinator would listen on " + bind + " only, not on loopback; set host "
                    + "to an address that reaches " + bind + " (or leave it unset to advertise " + bind + ")");
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("the coordinator listens on every interface and no host is set, and "
                    + "this machine's host name does not resolve (" + e.getMessage() + "): set host to the address "
                    + "clients and other coordinators reach this one at", e);
        }
    }
}
