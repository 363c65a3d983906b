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
import dev.claws.store.VariantRepository;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/**
 * The Variants service over the Variant table. Nothing is resident in memory until the serving work brings the
 * variant registry, so every variant reports loaded = false and Load/Unload answer UNIMPLEMENTED.
 */
@GrpcService
public class VariantsService extends VariantsGrpc.VariantsImplBase {

    private static final String REGISTRY = "the variant registry lands with the serving work";

    @Inject
    VariantRepository variants;

    @Inject
    VariantRemoval removal;

    @Override
    @Blocking
    public void listVariants(ListVariantsRequest request, StreamObserver<ListVariantsResponse> observer) {
        Rpc.unary(observer, () -> {
            if (request.getLoadedOnly()) {
                return ListVariantsResponse.getDefaultInstance();
            }
            String base = request.getBase().isEmpty() ? "" : Validation.variantName("base", request.getBase());
            return QuarkusTransaction.requiringNew().call(() -> ListVariantsResponse.newBuilder()
                    .addAllVariants(variants.listByBase(base).stream()
                            .map(row -> StoreMapping.variant(row, false, 0))
                            .toList())
                    .build());
        });
    }

    @Override
    @Blocking
    public void getVariant(GetVariantRequest request, StreamObserver<Variant> observer) {
        Rpc.unary(observer, () -> {
            String name = Validation.variantName("name", request.getName());
            return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name)
                    .map(row -> StoreMapping.variant(row, false, 0))
                    .orElseThrow(() -> Rpc.notFound("variant '" + name + "' does not exist")));
        });
    }

    @Override
    public void loadVariant(LoadVariantRequest request, StreamObserver<Variant> observer) {
        Unimplemented.answer(observer, "LoadVariant", REGISTRY);
    }

    @Override
    public void unloadVariant(UnloadVariantRequest request, StreamObserver<Variant> observer) {
        Unimplemented.answer(observer, "UnloadVariant", REGISTRY);
    }

    @Override
    @Blocking
    public void deleteVariant(DeleteVariantRequest request, StreamObserver<DeleteVariantResponse> observer) {
        Rpc.unary(observer, () -> removal.delete(Validation.variantName("name", request.getName())));
    }
}
