/**
 * The coordinator's HTTP server: the live dashboard ({@code /}), its JSON snapshot
 * ({@code /api/state}) and server-sent event stream ({@code /api/events}), Prometheus metrics
 * ({@code /metrics}) and a liveness check ({@code /healthz}). Read-only: nothing here changes the
 * directory.
 *
 * <p>The top layer beside {@code grpc}, public only so {@link io.thoonk.coordinator.Coordinator}
 * can wire it: not an API, it may change with any release.
 */
package io.thoonk.coordinator.http;
