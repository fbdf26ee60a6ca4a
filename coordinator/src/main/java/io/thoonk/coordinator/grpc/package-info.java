/**
 * The gRPC services, the forwarding of writes to the leader, and the one mapping of failures to
 * gRPC statuses ({@code Statuses}).
 *
 * <p>A layer of the coordinator, public only so {@link io.thoonk.coordinator.Coordinator} can
 * wire it: not an API, it may change with any release. Uses every
 * layer below it.
 */
package io.thoonk.coordinator.grpc;
