package dev.claws.api;

import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.serve.VariantRegistry;
import grpc.health.v1.HealthGrpc;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse.ServingStatus;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The standard grpc.health.v1 service, reporting readiness of what the server promises (Quarkus' own health service,
 * which answers SERVING as soon as the port listens, is switched off):
 * <ul>
 *   <li>{@code ""} (overall) and {@code claws.v1.Inference}: SERVING exactly while the default model
 *       (claws.model.default) is registered and resident, so a request without a variant name is answered; NOT_SERVING
 *       while it loads at start-up, when it could not be loaded (the reason is in the log), after it is unloaded, and
 *       once the server begins to shut down. A Kubernetes readiness probe asks this one.</li>
 *   <li>{@code claws.v1.Variants}, {@code claws.v1.Jobs}, {@code claws.v1.Laws}: SERVING while the server runs, default
 *       model or not (a liveness or startup probe asks one of these, so a failing default model does not restart the
 *       pod in a loop).</li>
 *   <li>any other name: NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch), as the health protocol says.</li>
 * </ul>
 */
@GrpcService
public class HealthService extends HealthGrpc.HealthImplBase {

    static final String OVERALL = "";
    /** ServingStatus SERVICE_UNKNOWN of the current health.proto (newer than the stubs bundled with Quarkus). */
    static final int SERVICE_UNKNOWN = 3;
    static final Set<String> NEED_DEFAULT_MODEL = Set.of(OVERALL, InferenceGrpc.SERVICE_NAME);
    static final Set<String> ALWAYS_UP = Set.of(VariantsGrpc.SERVICE_NAME, JobsGrpc.SERVICE_NAME, LawsGrpc.SERVICE_NAME);

    @Inject
    VariantRegistry registry;

    private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        ServingStatus status = status(request.getService());
        if (status == null) {
            observer.onError(Status.NOT_FOUND.withDescription("unknown service '" + request.getService()
                    + "'; known: \"\" (overall), " + String.join(", ", known())).asRuntimeException());
            return;
        }
        observer.onNext(HealthCheckResponse.newBuilder().setStatus(status).build());
        observer.onCompleted();
    }

    /** Sends the current status, then every change of it, until the client cancels. */
    @Override
    public void watch(HealthCheckRequest request, StreamObserver<HealthCheckResponse> observer) {
        ServerCallStreamObserver<HealthCheckResponse> call = (ServerCallStreamObserver<HealthCheckResponse>) observer;
        String service = request.getService();
        int[] sent = {-1};
        Runnable update = () -> {
            synchronized (sent) {
                ServingStatus now = status(service);
                int value = now == null ? SERVICE_UNKNOWN : now.getNumber();
                if (value != sent[0] && !call.isCancelled()) {
                    sent[0] = value;
                    observer.onNext(HealthCheckResponse.newBuilder().setStatusValue(value).build());
                }
            }
        };
        Runnable unsubscribe = registry.onResidencyChange(update);
        watchers.add(update);
        call.setOnCancelHandler(() -> {
            unsubscribe.run();
            watchers.remove(update);
        });
        update.run();
    }

    /** The status of a service name; null when the server has no service of that name. */
    ServingStatus status(String service) {
        if (NEED_DEFAULT_MODEL.contains(service)) {
            return !stopping && registry.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        }
        if (ALWAYS_UP.contains(service) || service.equals(HealthGrpc.SERVICE_NAME)) {
            return ServingStatus.SERVING;
        }
        return null;
    }

    private static List<String> known() {
        return List.of(InferenceGrpc.SERVICE_NAME, VariantsGrpc.SERVICE_NAME, JobsGrpc.SERVICE_NAME,
                LawsGrpc.SERVICE_NAME, HealthGrpc.SERVICE_NAME);
    }

    /** Shutting down: stop taking new inference traffic at once, before the variants are unloaded. */
    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        watchers.forEach(Runnable::run);
    }
}
