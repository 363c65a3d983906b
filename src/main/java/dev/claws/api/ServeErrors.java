package dev.claws.api;

import dev.claws.serve.ServeException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Maps the serving layer's failures to gRPC statuses, following the error rules of the contract. */
final class ServeErrors {

    private ServeErrors() {
    }

    static StatusRuntimeException status(ServeException e) {
        Status status = switch (e.kind()) {
            case UNKNOWN_VARIANT -> Status.NOT_FOUND;
            case WRONG_STATE -> Status.FAILED_PRECONDITION;
            case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
            case BAD_INPUT -> Status.INVALID_ARGUMENT;
            case UNLOADED -> Status.UNAVAILABLE;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }

    /** The status for any failure of a serving call; unexpected ones become INTERNAL. */
    static StatusRuntimeException status(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException s) {
            return s;
        }
        if (cause instanceof ServeException s) {
            return status(s);
        }
        if (cause instanceof java.util.concurrent.CancellationException) {
            return Status.CANCELLED.withDescription(cause.getMessage()).asRuntimeException();
        }
        return Status.INTERNAL.withDescription("internal error: " + cause).withCause(cause).asRuntimeException();
    }
}
