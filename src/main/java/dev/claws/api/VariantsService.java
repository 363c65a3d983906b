package dev.claws.api;

import dev.claws.api.v1.DeleteVariantRequest;
import dev.claws.api.v1.DeleteVariantResponse;
import dev.claws.api.v1.GetVariantRequest;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.ListVariantsResponse;
import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.Variant;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.serve.VariantRegistry;
import dev.claws.store.VariantRepository;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import dev.claws.store.VariantEntity;

/**
 * The Variants service: the Variant table joined with what the variant registry holds in memory. Load, Unload and
 * Delete go through the registry, so a loaded variant cannot be deleted and loading respects the memory budget.
 */
@GrpcService
public class VariantsService extends VariantsGrpc.VariantsImplBase {

    @Inject
    VariantRepository variants;

    @Inject
    VariantRemoval removal;

    @Inject
    VariantRegistry registry;

    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.guard(super.bindService());
    }

    @Override
    @Blocking
    public void listVariants(ListVariantsRequest request, StreamObserver<ListVariantsResponse> observer) {
        Rpc.unary(observer, () -> {
            String base = request.getBase().isEmpty() ? "" : Validation.variantName("base", request.getBase());
            return QuarkusTransaction.requiringNew().call(() -> ListVariantsResponse.newBuilder()
                    .addAllVariants(variants.listByBase(base).stream()
                            .map(this::withResidency)
                            .filter(v -> !request.getLoadedOnly() || v.getLoaded())
                            .toList())
                    .build());
        });
    }

    @Override
    @Blocking
    public void getVariant(GetVariantRequest request, StreamObserver<Variant> observer) {
        Rpc.unary(observer, () -> describe(Validation.variantName("name", request.getName())));
    }

    @Override
    @Blocking
    public void loadVariant(LoadVariantRequest request, StreamObserver<Variant> observer) {
        Rpc.unary(observer, () -> {
            String name = Validation.variantName("name", request.getName());
            if (request.getPath().isEmpty()) {
                registry.load(name);
            } else {
                Path path = checkpointPath(request.getPath());
                registry.registerAndLoad(name, path);
            }
            return describe(name);
        });
    }

    @Override
    @Blocking
    public void unloadVariant(UnloadVariantRequest request, StreamObserver<Variant> observer) {
        Rpc.unary(observer, () -> {
            String name = Validation.variantName("name", request.getName());
            Variant before = describe(name);
            if (before.getLoaded()) {
                registry.unload(name);
            }
            return describe(name);
        });
    }

    @Override
    @Blocking
    public void deleteVariant(DeleteVariantRequest request, StreamObserver<DeleteVariantResponse> observer) {
        Rpc.unary(observer, () -> {
            String name = Validation.variantName("name", request.getName());
            return registry.whileUnloaded(name, () -> removal.delete(name));
        });
    }

    private Variant describe(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name)
                .map(this::withResidency)
                .orElseThrow(() -> ErrorStatus.notFound("variant '" + name + "' does not exist")));
    }

    private Variant withResidency(VariantEntity row) {
        return registry.resident(row.name)
                .map(v -> StoreMapping.variant(row, true, v.memoryBytes()))
                .orElseGet(() -> StoreMapping.variant(row, false, 0));
    }

    private static Path checkpointPath(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw ErrorStatus.invalid("path is not a valid directory path: " + e.getMessage());
        }
    }
}
