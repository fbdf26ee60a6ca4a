package io.thoonk.proto;

import io.grpc.Status;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a failure to reach a server reads to a person: the reason in a few plain words, without the
 * decorations of the network libraries (Netty's {@code finishConnect(..) failed with error(-111): },
 * the JDK's {@code host/<unresolved>:port}, the trailing {@code : /127.0.0.1:6379}), and whether a
 * coordinator address turned out to be some other kind of server (a Redis port, a web server).
 *
 * <p>Why here: the routing client (for Redis and for the coordinators) and the CLI both word these
 * failures, and this module is the one both depend on; it knows nothing of Redis beyond the hint
 * that a Redis port is the usual wrong address.
 */
public final class ConnectionFailures {

    private static final Pattern UNRESOLVED = Pattern.compile("([^\\s/]+)/<unresolved>:(\\d+)");
    private static final Pattern NETTY_PREFIX = Pattern.compile("^finishConnect\\(\\.\\.\\) failed(?: with error\\(-?\\d+\\))?: ");
    private static final Pattern TRAILING_ADDRESS = Pattern.compile(":\\s+\\S*/\\S+:\\d+$");

    private ConnectionFailures() {
    }

    /**
     * Rewrites the JDK's form of an unresolved address, {@code 127.0.0.1/<unresolved>:6379}, as
     * {@code 127.0.0.1:6379} wherever it appears in {@code text}.
     */
    public static String tidyAddresses(String text) {
        return text == null ? null : UNRESOLVED.matcher(text).replaceAll("$1:$2");
    }

    /**
     * Why a connection failed, in a few words, e.g. {@code Connection refused}: the message of the
     * deepest cause, without Netty's prefix and without the address it names at the end (the
     * caller names the address in its own words).
     */
    public static String reason(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        String tidy = NETTY_PREFIX.matcher(tidyAddresses(message.trim())).replaceFirst("");
        return TRAILING_ADDRESS.matcher(tidy).replaceFirst("");
    }

    /**
     * Why a gRPC call found no server to answer it ({@code UNAVAILABLE} and the like): the reason
     * of its cause if it has one, else its description, else its code.
     */
    public static String reason(Status status) {
        if (status.getCause() != null) {
            return reason(status.getCause());
        }
        if (status.getDescription() != null && !status.getDescription().isBlank()) {
            return tidyAddresses(status.getDescription());
        }
        return status.getCode().toString();
    }

    /**
     * Whether a failed call's status says that the address answered, but not as a gRPC server: the
     * HTTP/2 handshake failed (a Redis port answers the preface with an error line), or an HTTP
     * server answered without gRPC's content type.
     */
    public static boolean notGrpc(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (description.startsWith("HTTP status code")) {
            return true;
        }
        if (status.getCode() != Status.Code.INTERNAL && status.getCode() != Status.Code.UNKNOWN) {
            return false;
        }
        if (description.toLowerCase(Locale.ROOT).contains("http2 exception")) {
            return true;
        }
        for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getSimpleName().equals("Http2Exception")) {
                return true;
            }
        }
        return false;
    }

    /** The sentence for coordinator addresses that answered, but not in the coordinator's gRPC API. */
    public static String notACoordinator(List<String> addresses) {
        return (addresses.size() == 1 ? addresses.get(0) + " does" : "the address(es) " + String.join(", ", addresses)
                + " do") + " not speak the coordinator's gRPC API: is this a Redis port? (give a coordinator's "
                + "gRPC address, e.g. the one `thoonk dev` or `thoonk coordinator` prints)";
    }
}
