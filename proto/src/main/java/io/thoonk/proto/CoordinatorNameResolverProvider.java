package io.thoonk.proto;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Resolves {@code thoonk-coordinators:///host1:port1,host2:port2} targets (see
 * {@link CoordinatorChannels}): one address group per coordinator, holding every IP its host name
 * has, looked up off gRPC's synchronization context at start and at every refresh.
 */
final class CoordinatorNameResolverProvider extends NameResolverProvider {

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return CoordinatorChannels.SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!CoordinatorChannels.SCHEME.equals(target.getScheme())) {
            return null;
        }
        String path = target.getPath() == null ? "" : target.getPath();
        List<CoordinatorAddress> addresses = Arrays.stream(path.replaceFirst("^/", "").split(","))
                .filter(s -> !s.isEmpty()).map(CoordinatorAddress::parse).toList();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("target " + target + " names no coordinator");
        }
        return new Resolver(addresses, args);
    }

    @Override
    public java.util.Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }

    private static final class Resolver extends NameResolver {
        private final List<CoordinatorAddress> addresses;
        private final SynchronizationContext sync;
        private final Executor lookups;
        // below: only touched in the synchronization context
        private Listener2 listener;
        private boolean resolving;
        private boolean shutdown;

        Resolver(List<CoordinatorAddress> addresses, Args args) {
            this.addresses = addresses;
            this.sync = args.getSynchronizationContext();
            this.lookups = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
        }

        @Override
        public String getServiceAuthority() {
            return addresses.get(0).toString();
        }

        @Override
        public void start(Listener2 listener) {
            this.listener = listener;
            resolve();
        }

        @Override
        public void refresh() {
            resolve();
        }

        private void resolve() {
            if (resolving || shutdown) {
                return;
            }
            resolving = true;
            lookups.execute(() -> {
                List<EquivalentAddressGroup> groups = new ArrayList<>();
                List<String> failures = new ArrayList<>();
                for (CoordinatorAddress a : addresses) {
                    try {
                        List<SocketAddress> ips = new ArrayList<>();
                        for (InetAddress ip : InetAddress.getAllByName(a.host())) {
                            ips.add(new InetSocketAddress(ip, a.port()));
                        }
                        groups.add(new EquivalentAddressGroup(ips));
                    } catch (UnknownHostException e) {
                        failures.add(a + " (" + e.getMessage() + ")");
                    }
                }
                sync.execute(() -> publish(groups, failures));
            });
        }

        private void publish(List<EquivalentAddressGroup> groups, List<String> failures) {
            resolving = false;
            if (shutdown) {
                return;
            }
            StatusOr<List<EquivalentAddressGroup>> result = groups.isEmpty()
                    ? StatusOr.fromStatus(Status.UNAVAILABLE.withDescription(
                            "cannot resolve any coordinator address: " + String.join(", ", failures)))
                    : StatusOr.fromValue(groups);
            listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(result).build());
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }
    }
}
