package io.thoonk.coordinator.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.thoonk.coordinator.CoordinatorException;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns failures into gRPC statuses with a description a person can act on. */
final class Statuses {

    private static final Logger log = LoggerFactory.getLogger(Statuses.class);

    private Statuses() {
    }

    static StatusRuntimeException toStatus(Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && (e instanceof java.util.concurrent.ExecutionException
                || e instanceof java.util.concurrent.CompletionException)) {
            e = e.getCause();
        }
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof CoordinatorException d) {
            Status status = switch (d.reason()) {
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            };
            return status.withDescription(d.getMessage()).asRuntimeException();
        }
        if (e instanceof KeeperException k) {
            return Status.UNAVAILABLE.withDescription("ZooKeeper did not complete the operation (" + k.code()
                    + "); retry").asRuntimeException();
        }
        if (e instanceof java.util.concurrent.TimeoutException) {
            return Status.DEADLINE_EXCEEDED.withDescription("the directory did not catch up in time; retry")
                    .asRuntimeException();
        }
        if (e instanceof java.util.concurrent.RejectedExecutionException) {
            return Status.UNAVAILABLE.withDescription("this coordinator is shutting down; use another one")
                    .asRuntimeException();
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return Status.CANCELLED.withDescription("coordinator is shutting down").asRuntimeException();
        }
        log.warn("unexpected failure in a coordinator call", e);
        return Status.INTERNAL.withDescription("unexpected coordinator failure: " + e).asRuntimeException();
    }
}
