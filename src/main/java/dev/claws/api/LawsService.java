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
import dev.claws.api.v1.EvalSelection;
import dev.claws.api.v1.LawForm;
import dev.claws.law.CriticalRatio;
import dev.claws.law.LawFitter;
import dev.claws.law.LawInputException;
import dev.claws.law.MeasuredPoint;
import dev.claws.law.LawPrediction;
import dev.claws.law.Measurement;
import dev.claws.law.PointSelection;
import dev.claws.law.RatioShapeCheck;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.LawFitRepository;
import dev.claws.store.VariantEntity.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import dev.claws.law.FitForm;
import dev.claws.law.FittedLaw;
import dev.claws.store.LawFitEntity;
import dev.claws.api.v1.LawPoint;

/**
 * The Laws service: validates requests, gathers points (explicit or from stored EvalResult rows), and hands the numbers
 * to the law layer. Input the law layer cannot use (too few points, collinear columns, values out of range) comes back
 * as {@link LawInputException} with a message naming the field; it is answered as INVALID_ARGUMENT.
 */
@GrpcService
public class LawsService extends LawsGrpc.LawsImplBase {

    private static final int MAX_NAME_LENGTH = 128;
    private static final Set<String> INTRINSIC_METRICS = Set.of("cross_entropy");
    private static final Set<String> EXTRINSIC_METRICS = Set.of("acc", "acc_norm");

    @Inject
    LawFitRepository fits;

    @Inject
    EvalResultRepository evalResults;

    @Override
    public ServerServiceDefinition bindService() {
        return MalformedRequests.guard(super.bindService());
    }

    @Override
    @Blocking
    public void fitLaw(FitLawRequest request, StreamObserver<LawFit> observer) {
        Rpc.unary(observer, () -> {
            String name = request.getName();
            if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
                throw ErrorStatus.invalid("name is required: 1 to " + MAX_NAME_LENGTH + " characters, not only spaces, got "
                        + name.length() + " characters");
            }
            LawKind kind = request.getKind();
            if (kind != LawKind.LAW_KIND_INTRINSIC && kind != LawKind.LAW_KIND_EXTRINSIC) {
                throw ErrorStatus.invalid("kind is required: LAW_KIND_INTRINSIC or LAW_KIND_EXTRINSIC, got " + request.getKindValue());
            }
            if (request.getForm() == LawForm.UNRECOGNIZED) {
                throw ErrorStatus.invalid("form must be LAW_FORM_FULL (or UNSPECIFIED) or LAW_FORM_WITHOUT_RFT, got "
                        + request.getFormValue());
            }
            FitForm form = LawMapping.form(request.getForm());
            List<LawMapping.Labeled> points;
            List<String> notes = new ArrayList<>();
            EvalSelection selection = null;
            String metric = null;
            switch (request.getSourceCase()) {
                case POINTS -> points = explicitPoints(request.getPoints().getPointsList(), kind);
                case SELECTION -> {
                    selection = request.getSelection();
                    metric = selectionMetric(selection, kind);
                    points = selectedPoints(selection, notes);
                }
                default -> throw ErrorStatus.invalid("source is required: set points (explicit) or selection (stored"
                        + " EvalResult rows)");
            }
            List<MeasuredPoint> lawPoints = points.stream().map(LawMapping.Labeled::point).toList();
            String source = selection == null ? "" : "selection gave " + points.size() + " point(s): ";
            FittedLaw fit = law(source, () -> LawFitter.fit(lawPoints, form));
            RatioShapeCheck shape = null;
            try {
                shape = RatioShapeCheck.of(lawPoints);
            } catch (LawInputException e) {
                notes.add("shape check not computed: " + e.getMessage());
            }
            LawFitEntity row = LawMapping.row(name, kind, metric, fit, points, shape, notes, selection);
            return QuarkusTransaction.requiringNew().call(() -> {
                fits.persist(row);
                return StoreMapping.lawFit(row);
            });
        });
    }

    @Override
    @Blocking
    public void getLawFit(GetLawFitRequest request, StreamObserver<LawFit> observer) {
        Rpc.unary(observer, () -> {
            long id = Validation.positiveId("id", request.getId());
            return QuarkusTransaction.requiringNew().call(() -> fits.findByIdOptional(id)
                    .map(StoreMapping::lawFit)
                    .orElseThrow(() -> ErrorStatus.notFound("law fit " + id + " does not exist")));
        });
    }

    @Override
    @Blocking
    public void listLawFits(ListLawFitsRequest request, StreamObserver<ListLawFitsResponse> observer) {
        Rpc.unary(observer, () -> {
            if (request.getKind() == LawKind.UNRECOGNIZED) {
                throw ErrorStatus.invalid("kind must be LAW_KIND_UNSPECIFIED (all), LAW_KIND_INTRINSIC or LAW_KIND_EXTRINSIC, got "
                        + request.getKindValue());
            }
            LawFitEntity.Kind kind = StoreMapping.kind(request.getKind());
            int limit = Validation.listLimit("limit", request.getLimit());
            return QuarkusTransaction.requiringNew().call(() -> ListLawFitsResponse.newBuilder()
                    .addAllFits(fits.listNewest(kind, limit).stream().map(StoreMapping::lawFit).toList())
                    .build());
        });
    }

    @Override
    @Blocking
    public void predictLoss(PredictLossRequest request, StreamObserver<PredictLossResponse> observer) {
        Rpc.unary(observer, () -> {
            FittedLaw fit = storedFit("fit_id", request.getFitId());
            double confidence = request.getConfidence() == 0 ? LawPrediction.DEFAULT_CONFIDENCE : request.getConfidence();
            return LawMapping.prediction(law("", () -> LawPrediction.predict(fit, request.getL0(), request.getR(),
                    request.getD(), confidence)));
        });
    }

    @Override
    @Blocking
    public void criticalRatio(CriticalRatioRequest request, StreamObserver<CriticalRatioResponse> observer) {
        Rpc.unary(observer, () -> {
            FittedLaw fit = storedFit("fit_id", request.getFitId());
            double d = request.hasD() ? request.getD() : Double.POSITIVE_INFINITY;
            if (request.hasD() && !(d >= 0 && Double.isFinite(d))) {
                throw ErrorStatus.invalid("d must be finite and >= 0 (leave it unset for unlimited RFT), got " + d);
            }
            return LawMapping.criticalRatio(law("", () -> CriticalRatio.of(fit, request.getSigma(), d)));
        });
    }

    private FittedLaw storedFit(String field, long id) {
        long checked = Validation.positiveId(field, id);
        LawFit stored = QuarkusTransaction.requiringNew().call(() -> fits.findByIdOptional(checked)
                .map(StoreMapping::lawFit)
                .orElseThrow(() -> ErrorStatus.notFound("law fit " + checked + " does not exist")));
        return LawMapping.lawFit(stored);
    }

    private static List<LawMapping.Labeled> explicitPoints(List<LawPoint> points, LawKind kind) {
        List<LawMapping.Labeled> out = new ArrayList<>(points.size());
        for (int i = 0; i < points.size(); i++) {
            LawPoint p = points.get(i);
            if (kind == LawKind.LAW_KIND_EXTRINSIC) {
                requireAccuracy("points.points[" + i + "].l", p.getL());
                requireAccuracy("points.points[" + i + "].l0", p.getL0());
            }
            int index = i;
            MeasuredPoint point = law("points.", () -> MeasuredPoint.at(index, p.getL(), p.getL0(), p.getR(), p.getD()));
            out.add(new LawMapping.Labeled(point, p.getLabel()));
        }
        return out;
    }

    private static void requireAccuracy(String field, double value) {
        if (value > 1) {
            throw ErrorStatus.invalid(field + " = " + value + " is outside the allowed range (0, 1] of an extrinsic law"
                    + " (L is an accuracy)");
        }
    }

    private static String selectionMetric(EvalSelection selection, LawKind kind) {
        String metric = selection.getMetric();
        Set<String> allowed = kind == LawKind.LAW_KIND_INTRINSIC ? INTRINSIC_METRICS : EXTRINSIC_METRICS;
        if (!allowed.contains(metric)) {
            throw ErrorStatus.invalid("selection.metric must be one of " + new TreeSet<>(allowed) + " for a " + kind
                    + " fit, got '" + metric + "'");
        }
        for (int i = 0; i < selection.getBaseModelsCount(); i++) {
            Validation.variantName("selection.base_models[" + i + "]", selection.getBaseModels(i));
        }
        for (int i = 0; i < selection.getMethodsCount(); i++) {
            if (StoreMapping.method(selection.getMethods(i)) == null) {
                throw ErrorStatus.invalid("selection.methods[" + i + "] must be COMPRESSION_METHOD_NONE, _RANDOM_PRUNE or"
                        + " _SLICEGPT, got " + selection.getMethodsValue(i));
            }
        }
        for (int i = 0; i < selection.getTasksCount(); i++) {
            if (selection.getTasks(i).isEmpty()) {
                throw ErrorStatus.invalid("selection.tasks[" + i + "] must not be empty");
            }
        }
        return metric;
    }

    /** Rows of the selected bases, tasks and metric; the method filter applies to the variants, never to their base. */
    private List<LawMapping.Labeled> selectedPoints(EvalSelection selection, List<String> notes) {
        Set<Method> methods = selection.getMethodsList().stream().map(StoreMapping::method)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Method.class)));
        List<Measurement> measurements = QuarkusTransaction.requiringNew().call(() -> evalResults
                .select(selection.getBaseModelsList(), List.of(), selection.getMetric(), selection.getTasksList())
                .stream()
                .filter(row -> row.variant.equals(row.baseModel) || methods.isEmpty() || methods.contains(row.method))
                .map(row -> new Measurement(row.id, row.variant, row.baseModel, row.task, row.metric, row.value,
                        row.ratio, row.rftTokens))
                .toList());
        PointSelection.Result result = law("selection: ", () -> PointSelection.pair(measurements));
        if (!result.withoutBase().isEmpty()) {
            notes.add(result.withoutBase().size() + " stored measurement(s) skipped because their base model has no"
                    + " measurement on the same task and metric: " + String.join(", ", result.withoutBase()));
        }
        return result.points().stream().map(p -> new LawMapping.Labeled(p.point(), p.label())).toList();
    }

    /** Runs a law-layer computation; its input errors become INVALID_ARGUMENT with the given prefix. */
    private static <T> T law(String prefix, Supplier<T> computation) {
        try {
            return computation.get();
        } catch (LawInputException e) {
            throw ErrorStatus.invalid(prefix + e.getMessage());
        }
    }
}
