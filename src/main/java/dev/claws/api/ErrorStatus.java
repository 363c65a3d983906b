package dev.claws.api;

import dev.claws.jobs.JobQueueFullException;
import dev.claws.model.NonFiniteValuesException;
import dev.claws.serve.ServeException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * The one mapping from failures to the contract's statuses (DESIGN.md, "Errors"), used by every gRPC service and, through
 * {@link #httpStatus}, by the OpenAI-compatible HTTP API:
 *
 * <ul>
 *   <li>the API's own refusals ({@link #invalid}, {@link #notFound}, {@link #failedPrecondition}) pass unchanged;</li>
 *   <li>{@link ServeException} by its kind: UNKNOWN_VARIANT NOT_FOUND, WRONG_STATE FAILED_PRECONDITION, OVERLOADED
 *       RESOURCE_EXHAUSTED, BAD_INPUT INVALID_ARGUMENT, UNLOADED UNAVAILABLE;</li>
 *   <li>{@link JobQueueFullException} RESOURCE_EXHAUSTED; {@link CancellationException} CANCELLED;</li>
 *   <li>{@link IllegalArgumentException} (the lower layers refusing an argument outside their contract, which after
 *       the API's validation only the request's content can cause) INVALID_ARGUMENT;</li>
 *   <li>{@link NonFiniteValuesException} (the model's own fault, the step named) and anything else INTERNAL.</li>
 * </ul>
 * Wrappers of asynchronous results (CompletionException, ExecutionException) are looked through.
 */
final class ErrorStatus {

    private static final Logger LOG = Logger.getLogger(ErrorStatus.class);

    /** Trailer naming the request field an INVALID_ARGUMENT is about (the HTTP API reports it as "param"). */
    static final Metadata.Key<String> FIELD = Metadata.Key.of("claws-field", Metadata.ASCII_STRING_MARSHALLER);

    private ErrorStatus() {
    }

    /** The status a failure is answered with. */
    static StatusRuntimeException of(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StatusRuntimeException s) {
            return s;
        }
        Status status;
        if (cause instanceof ServeException e) {
            status = switch (e.kind()) {
                case UNKNOWN_VARIANT -> Status.NOT_FOUND;
                case WRONG_STATE -> Status.FAILED_PRECONDITION;
                case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
                case BAD_INPUT -> Status.INVALID_ARGUMENT;
                case UNLOADED -> Status.UNAVAILABLE;
            };
            return status.withDescription(e.getMessage()).asRuntimeException();
        } else if (cause instanceof JobQueueFullException) {
            status = Status.RESOURCE_EXHAUSTED;
        } else if (cause instanceof CancellationException) {
            return Status.CANCELLED.withDescription(cause.getMessage()).asRuntimeException();
        } else if (cause instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (cause instanceof NonFiniteValuesException) {
            status = Status.INTERNAL;
        } else {
            return Status.INTERNAL.withDescription("internal error: " + cause).withCause(cause).asRuntimeException();
        }
        return status.withDescription(cause.getMessage()).withCause(cause).asRuntimeException();
    }

    /** Answers a call with the status of {@code failure}, logging what the server should hear about. */
    static void reply(StreamObserver<?> observer, Throwable failure) {
        StatusRuntimeException status = of(failure);
        log(status, failure);
        observer.onError(status);
    }

    /** INTERNAL is logged with its stack trace; bad input that got past the API's validation as a warning. */
    static void log(StatusRuntimeException status, Throwable failure) {
        if (status.getStatus().getCode() == Status.Code.INTERNAL) {
            LOG.error("call failed unexpectedly", failure);
        } else if (status.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
                && !(failure instanceof StatusRuntimeException)) {
            LOG.warnf("request refused by a lower layer, not by validation: %s", status.getStatus().getDescription());
        }
    }

    /** INVALID_ARGUMENT with a message that names the field and the allowed range. */
    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** INVALID_ARGUMENT about one field: the message names it, and so does the trailer {@link #FIELD}. */
    static StatusRuntimeException invalid(String field, String message) {
        Metadata trailers = new Metadata();
        trailers.put(FIELD, field);
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException(trailers);
    }

    static StatusRuntimeException notFound(String message) {
        return Status.NOT_FOUND.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException failedPrecondition(String message) {
        return Status.FAILED_PRECONDITION.withDescription(message).asRuntimeException();
    }

    static StatusRuntimeException unauthenticated(String message) {
        return Status.UNAUTHENTICATED.withDescription(message).asRuntimeException();
    }

    /** The HTTP status of a gRPC status code (OpenAI-compatible API). */
    static int httpStatus(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND -> 404;
            case RESOURCE_EXHAUSTED -> 429;
            case CANCELLED -> 499;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }
}
