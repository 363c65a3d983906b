package dev.claws.api;

import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.VariantsGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;
import dev.claws.config.AdminConfig;

/**
 * Guards the mutating RPCs with the optional admin token (claws.admin-token). When a token is configured, a mutating
 * call must carry the metadata {@code authorization: Bearer <token>} (the bare token is accepted too), else it is
 * closed with UNAUTHENTICATED before reaching the service. Reads are never guarded.
 */
@GlobalInterceptor
@ApplicationScoped
public class AdminTokenInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    /** Full gRPC method names ("package.Service/Method") that change state. */
    static final Set<String> MUTATING_METHODS = Set.of(
            VariantsGrpc.getLoadVariantMethod().getFullMethodName(),
            VariantsGrpc.getUnloadVariantMethod().getFullMethodName(),
            VariantsGrpc.getDeleteVariantMethod().getFullMethodName(),
            JobsGrpc.getSubmitCompressionMethod().getFullMethodName(),
            JobsGrpc.getSubmitRecoveryMethod().getFullMethodName(),
            JobsGrpc.getSubmitEvaluationMethod().getFullMethodName(),
            JobsGrpc.getSubmitBenchmarkMethod().getFullMethodName(),
            JobsGrpc.getCancelJobMethod().getFullMethodName(),
            LawsGrpc.getFitLawMethod().getFullMethodName());

    private static final String BEARER = "bearer ";

    private final byte[] expectedToken;

    @Inject
    public AdminTokenInterceptor(AdminConfig admin) {
        this.expectedToken = admin.adminToken().map(String::strip)
                .filter(token -> !token.isEmpty())
                .map(token -> token.getBytes(StandardCharsets.UTF_8))
                .orElse(null);
    }

    public static boolean isMutating(String fullMethodName) {
        return MUTATING_METHODS.contains(fullMethodName);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        if (expectedToken == null || !isMutating(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String refusal = refusal(headers.get(AUTHORIZATION));
        if (refusal != null) {
            return reject(call, refusal);
        }
        return next.startCall(call, headers);
    }

    /**
     * Why a mutating call with this {@code authorization} value (null when absent; gRPC metadata or HTTP header) is
     * refused, or null when it may proceed (no token configured, or the right one presented).
     */
    String refusal(String presented) {
        if (expectedToken == null) {
            return null;
        }
        if (presented == null) {
            return "this call changes state and needs the admin token: "
                    + "send 'authorization: Bearer <claws.admin-token>'";
        }
        if (!matches(presented)) {
            return "the admin token in 'authorization' does not match claws.admin-token";
        }
        return null;
    }

    private boolean matches(String presented) {
        String token = presented.strip();
        if (token.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            token = token.substring(BEARER.length()).strip();
        }
        // constant-time comparison, so response timing does not reveal how much of the token was right
        return MessageDigest.isEqual(expectedToken, token.getBytes(StandardCharsets.UTF_8));
    }

    private static <Q, R> ServerCall.Listener<Q> reject(ServerCall<Q, R> call, String description) {
        call.close(Status.UNAUTHENTICATED.withDescription(description), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}
