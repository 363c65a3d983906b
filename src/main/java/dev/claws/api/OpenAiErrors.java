package dev.claws.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

/**
 * The HTTP face of the one error mapping: a failure is first the gRPC status the contract gives it
 * ({@link ErrorStatus}), then that status becomes an HTTP status and OpenAI's error body
 * {@code {"error": {"message", "type", "param", "code"}}}: INVALID_ARGUMENT and FAILED_PRECONDITION 400 (param = the
 * field), NOT_FOUND 404, RESOURCE_EXHAUSTED 429, UNAUTHENTICATED 401, UNAVAILABLE 503, anything else 500.
 */
final class OpenAiErrors {

    private static final Logger LOG = Logger.getLogger(OpenAiErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiErrors() {
    }

    static Response response(Throwable failure) {
        StatusRuntimeException status = ErrorStatus.of(failure);
        int http = ErrorStatus.httpStatus(status.getStatus().getCode());
        if (http == 500) {
            LOG.error("HTTP inference call failed unexpectedly", failure);
        }
        return Response.status(http).type(MediaType.APPLICATION_JSON).entity(body(status).toString()).build();
    }

    /** OpenAI's error object for a status. */
    static ObjectNode body(StatusRuntimeException status) {
        Status.Code code = status.getStatus().getCode();
        ObjectNode error = JSON.createObjectNode();
        String message = status.getStatus().getDescription();
        error.put("message", message == null ? code.name() : message);
        error.put("type", type(code));
        Metadata trailers = status.getTrailers();
        String field = trailers == null ? null : trailers.get(ErrorStatus.FIELD);
        if (field == null) {
            error.putNull("param");
        } else {
            error.put("param", field);
        }
        error.put("code", code.name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return body;
    }

    private static String type(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> "invalid_request_error";
            case UNAUTHENTICATED -> "authentication_error";
            case PERMISSION_DENIED -> "permission_error";
            case NOT_FOUND -> "not_found_error";
            case RESOURCE_EXHAUSTED -> "rate_limit_error";
            default -> "server_error";
        };
    }
}
