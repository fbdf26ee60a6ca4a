package io.thoonk.coordinator;

import java.time.Duration;
import java.util.Objects;

/**
 * A coordinator's settings.
 *
 * @param id             this coordinator's name among its peers (default: host-port)
 * @param zookeeper      ZooKeeper connect string, e.g. {@code zk1:2181,zk2:2181,zk3:2181}
 * @param namespace      ZooKeeper namespace (root node) of this directory (default {@code thoonk})
 * @param host           address other coordinators and clients reach this one at (default 127.0.0.1)
 * @param grpcPort       gRPC port (default 7400; 0 picks a free one)
 * @param sessionTimeout ZooKeeper session timeout (default 15 s)
 * @param callTimeout    timeout of Redis checks and fence writes, and of waiting for the cache (default 5 s)
 */
public record CoordinatorConfig(String id, String zookeeper, String namespace, String host, int grpcPort,
                                Duration sessionTimeout, Duration callTimeout) {

    public static final int DEFAULT_GRPC_PORT = 7400;

    public CoordinatorConfig {
        Objects.requireNonNull(zookeeper, "zookeeper == null");
        Objects.requireNonNull(namespace, "namespace == null");
        Objects.requireNonNull(host, "host == null");
        Objects.requireNonNull(sessionTimeout, "sessionTimeout == null");
        Objects.requireNonNull(callTimeout, "callTimeout == null");
        if (grpcPort < 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpcPort must be 0..65535, was " + grpcPort);
        }
    }

    public static Builder builder(String zookeeper) {
        return new Builder(zookeeper);
    }

    /** Builds a {@link CoordinatorConfig}. */
    public static final class Builder {
        private final String zookeeper;
        private String id;
        private String namespace = "thoonk";
        private String host = "127.0.0.1";
        private int grpcPort = DEFAULT_GRPC_PORT;
        private Duration sessionTimeout = Duration.ofSeconds(15);
        private Duration callTimeout = Duration.ofSeconds(5);

        private Builder(String zookeeper) {
            this.zookeeper = zookeeper;
        }

        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder grpcPort(int grpcPort) {
            this.grpcPort = grpcPort;
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        public CoordinatorConfig build() {
            return new CoordinatorConfig(id, zookeeper, namespace, host, grpcPort, sessionTimeout, callTimeout);
        }
    }
}
