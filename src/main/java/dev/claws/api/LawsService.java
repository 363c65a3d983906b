package dev.claws.api;

import dev.claws.api.v1.CriticalRatioRequest;
import dev.claws.api.v1.CriticalRatioResponse;
import dev.claws.api.v1.FitLawRequest;
import dev.claws.api.v1.GetLawFitRequest;
import dev.claws.api.v1.LawFit;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.ListLawFitsRequest;
import dev.claws.api.v1.ListLawFitsResponse;
import dev.claws.api.v1.PredictLossRequest;
import dev.claws.api.v1.PredictLossResponse;
import dev.claws.store.LawFitRepository;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;

/** The Laws service. Reading stored fits works now; fitting and applying a law arrive with the law work. */
@GrpcService
public class LawsService extends LawsGrpc.LawsImplBase {

    private static final String LAW = "compression-law fitting lands with the compression laws work";

    @Inject
    LawFitRepository fits;

    @Override
    public void fitLaw(FitLawRequest request, StreamObserver<LawFit> observer) {
        Unimplemented.answer(observer, "FitLaw", LAW);
    }

    @Override
    @Blocking
    public void getLawFit(GetLawFitRequest request, StreamObserver<LawFit> observer) {
        Rpc.unary(observer, () -> {
            long id = Validation.positiveId("id", request.getId());
            return QuarkusTransaction.requiringNew().call(() -> fits.findByIdOptional(id)
                    .map(StoreMapping::lawFit)
                    .orElseThrow(() -> Rpc.notFound("law fit " + id + " does not exist")));
        });
    }

    @Override
    @Blocking
    public void listLawFits(ListLawFitsRequest request, StreamObserver<ListLawFitsResponse> observer) {
        Rpc.unary(observer, () -> {
            if (request.getKind() == LawKind.UNRECOGNIZED) {
                throw Rpc.invalid("kind must be LAW_KIND_UNSPECIFIED (all), LAW_KIND_INTRINSIC or LAW_KIND_EXTRINSIC, got "
                        + request.getKindValue());
            }
            dev.claws.store.LawFit.Kind kind = StoreMapping.kind(request.getKind());
            int limit = Validation.listLimit("limit", request.getLimit());
            return QuarkusTransaction.requiringNew().call(() -> ListLawFitsResponse.newBuilder()
                    .addAllFits(fits.listNewest(kind, limit).stream().map(StoreMapping::lawFit).toList())
                    .build());
        });
    }

    @Override
    public void predictLoss(PredictLossRequest request, StreamObserver<PredictLossResponse> observer) {
        Unimplemented.answer(observer, "PredictLoss", LAW);
    }

    @Override
    public void criticalRatio(CriticalRatioRequest request, StreamObserver<CriticalRatioResponse> observer) {
        Unimplemented.answer(observer, "CriticalRatio", LAW);
    }
}
