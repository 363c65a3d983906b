package dev.claws.api;

import dev.claws.model.NonFiniteValuesException;
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

    /**
     * The status for any failure of a serving call: an {@link IllegalArgumentException} is INVALID_ARGUMENT, a model
     * producing NaN or infinity INTERNAL naming the step; other unexpected failures INTERNAL.
     */
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
        if (cause instanceof IllegalArgumentException) {
            // the model and evaluation layers refuse arguments outside their contract; after the API's validation
            // only the request's own content can get there, so it is the request's fault, never INTERNAL
            return Status.INVALID_ARGUMENT.withDescription(cause.getMessage()).withCause(cause).asRuntimeException();
        }
        if (cause instanceof NonFiniteValuesException) {
            // the model's own fault, not the request's: INTERNAL, with the step named in the message
            return Status.INTERNAL.withDescription(cause.getMessage()).withCause(cause).asRuntimeException();
        }
        return Status.INTERNAL.withDescription("internal error: " + cause).withCause(cause).asRuntimeException();
    }
}
