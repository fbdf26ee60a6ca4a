package io.thoonk.proto;

import java.util.Objects;

/** One coordinator's {@code host:port}; {@link #toString()} gives it back in that form. */
record CoordinatorAddress(String host, int port) {

    static CoordinatorAddress parse(String address) {
        Objects.requireNonNull(address, "address == null");
        String a = address.trim();
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        boolean hostOk = !host.isEmpty() && host.chars().noneMatch(c -> Character.isWhitespace(c) || c == ','
                || c == '/' || c == '[' || c == ']');
        if (!hostOk || port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid coordinator address '" + address + "': expected host:port");
        }
        return new CoordinatorAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
