package dev.claws.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Runs the body of a unary RPC and turns its outcome into exactly one response or one status. */
final class Rpc {

    private static final Logger LOG = Logger.getLogger(Rpc.class);

    private Rpc() {
    }

    static <T> void unary(StreamObserver<T> observer, Supplier<T> body) {
        T response;
        try {
            response = body.get();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            LOG.error("RPC failed unexpectedly", e);
            observer.onError(Status.INTERNAL.withDescription("internal error: " + e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** Trailer naming the request field an INVALID_ARGUMENT is about (the HTTP door reports it as "param"). */
    static final Metadata.Key<String> FIELD = Metadata.Key.of("claws-field", Metadata.ASCII_STRING_MARSHALLER);

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
}
