package dev.claws.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.claws.api.v1.BenchmarkResult;
import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.EvalResult;
import dev.claws.api.v1.EvalSelection;
import dev.claws.api.v1.JobKind;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.LawFit;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawPoints;
import dev.claws.api.v1.Variant;
import dev.claws.store.BenchmarkRunEntity;
import dev.claws.store.VariantEntity.Method;
import dev.claws.api.v1.Coefficient;
import dev.claws.store.EvalResultEntity;
import dev.claws.store.JobEntity;
import dev.claws.store.LawFitEntity;
import dev.claws.api.v1.LawForm;
import dev.claws.store.VariantEntity;

/**
 * Maps stored rows to API messages. JSON columns hold the protobuf JSON mapping of API messages (see {@link #toJson}),
 * so a stored request or result reads back as the message that was stored.
 */
public final class StoreMapping {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private StoreMapping() {
    }

    public static String toJson(Message message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot print " + message.getDescriptorForType().getFullName(), e);
        }
    }

    static <B extends Message.Builder> B mergeJson(String json, B builder) {
        if (json == null || json.isEmpty()) {
            return builder;
        }
        try {
            PARSER.merge(json, builder);
            return builder;
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored JSON is not a valid "
                    + builder.getDescriptorForType().getFullName() + ": " + e.getMessage(), e);
        }
    }

    public static CompressionMethod method(Method method) {
        return switch (method) {
            case NONE -> CompressionMethod.COMPRESSION_METHOD_NONE;
            case RANDOM_PRUNE -> CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE;
            case SLICEGPT -> CompressionMethod.COMPRESSION_METHOD_SLICEGPT;
        };
    }

    /** The stored method for an API method; null for UNSPECIFIED / unknown values. */
    public static Method method(CompressionMethod method) {
        return switch (method) {
            case COMPRESSION_METHOD_NONE -> Method.NONE;
            case COMPRESSION_METHOD_RANDOM_PRUNE -> Method.RANDOM_PRUNE;
            case COMPRESSION_METHOD_SLICEGPT -> Method.SLICEGPT;
            default -> null;
        };
    }

    public static Variant variant(VariantEntity row, boolean loaded, long memoryBytes) {
        Variant.Builder variant = Variant.newBuilder();
        if (row.parameterRatio != null) {
            variant.setParameterRatio(row.parameterRatio);
        }
        return variant
                .setName(row.name)
                .setBase(nullToEmpty(row.base))
                .setParent(nullToEmpty(row.parent))
                .setMethod(method(row.method))
                .setRatio(row.ratio)
                .setRftTokens(row.rftTokens)
                .setParameterCount(row.parameterCount)
                .setBytes(row.sizeBytes)
                .setPath(row.path)
                .setLoaded(loaded)
                .setMemoryBytes(memoryBytes)
                .setCreated(ProtoTime.toTimestamp(row.created))
                .build();
    }

    public static JobKind kind(JobEntity.Kind kind) {
        return JobKind.valueOf("JOB_KIND_" + kind.name());
    }

    public static JobState state(JobEntity.State state) {
        return JobState.valueOf("JOB_STATE_" + state.name());
    }

    /** The stored kind for an API kind; null for UNSPECIFIED / unknown values. */
    public static JobEntity.Kind kind(JobKind kind) {
        return kind == JobKind.JOB_KIND_UNSPECIFIED || kind == JobKind.UNRECOGNIZED
                ? null : JobEntity.Kind.valueOf(kind.name().substring("JOB_KIND_".length()));
    }

    /** The stored state for an API state; null for UNSPECIFIED / unknown values. */
    public static JobEntity.State state(JobState state) {
        return state == JobState.JOB_STATE_UNSPECIFIED || state == JobState.UNRECOGNIZED
                ? null : JobEntity.State.valueOf(state.name().substring("JOB_STATE_".length()));
    }

    public static EvalResult evalResult(EvalResultEntity row) {
        return EvalResult.newBuilder()
                .setId(row.id)
                .setVariant(row.variant)
                .setTask(row.task)
                .setMetric(row.metric)
                .setValue(row.value)
                .setStderr(row.stderr)
                .setSamples(row.samples)
                .setBaseModel(row.baseModel)
                .setMethod(method(row.method))
                .setRatio(row.ratio)
                .setRftTokens(row.rftTokens)
                .setCreated(ProtoTime.toTimestamp(row.created))
                .build();
    }

    public static BenchmarkResult benchmark(BenchmarkRunEntity row) {
        return BenchmarkResult.newBuilder()
                .setId(row.id)
                .setVariant(row.variant)
                .setBase(row.base)
                .setPromptLength(row.promptLength)
                .setGenerationLength(row.generationLength)
                .setRepeats(row.repeats)
                .setPrefillMsMedian(row.prefillMsMedian)
                .setPrefillMsSpread(row.prefillMsSpread)
                .setDecodeMsPerTokenMedian(row.decodeMsPerTokenMedian)
                .setDecodeMsPerTokenSpread(row.decodeMsPerTokenSpread)
                .setTokensPerSecond(row.tokensPerSecond)
                .setSpeedup(row.speedup)
                .setIdealSpeedup(row.idealSpeedup)
                .setCreated(ProtoTime.toTimestamp(row.created))
                .build();
    }

    public static LawKind kind(LawFitEntity.Kind kind) {
        return LawKind.valueOf("LAW_KIND_" + kind.name());
    }

    /** The stored kind for an API kind; null for UNSPECIFIED / unknown values. */
    public static LawFitEntity.Kind kind(LawKind kind) {
        return kind == LawKind.LAW_KIND_UNSPECIFIED || kind == LawKind.UNRECOGNIZED
                ? null : LawFitEntity.Kind.valueOf(kind.name().substring("LAW_KIND_".length()));
    }

    /**
     * A stored fit as an API message. points_json holds a claws.v1.LawPoints document; diagnostics_json a partial
     * claws.v1.LawFit document (residuals, residual_standard_error, shape) merged into the message;
     * selection_json a claws.v1.EvalSelection document.
     */
    public static LawFit lawFit(LawFitEntity row) {
        LawFit.Builder fit = LawFit.newBuilder();
        mergeJson(row.diagnosticsJson, fit);
        boolean gammaEstimated = fit.getForm() != LawForm.LAW_FORM_WITHOUT_RFT;
        fit.setId(row.id)
                .setName(row.name)
                .setKind(kind(row.kind))
                .setMetric(nullToEmpty(row.metric))
                .setAlpha(coefficient(row.alpha, row.alphaStderr, row.alphaCiLow, row.alphaCiHigh, true))
                .setBeta(coefficient(row.beta, row.betaStderr, row.betaCiLow, row.betaCiHigh, true))
                .setGamma(coefficient(row.gamma, row.gammaStderr, row.gammaCiLow, row.gammaCiHigh, gammaEstimated))
                .setR2Log(row.r2Log)
                .setR2Linear(row.r2Linear)
                .setNPoints(row.nPoints)
                .clearPoints()
                .addAllPoints(mergeJson(row.pointsJson, LawPoints.newBuilder()).getPointsList())
                .setCreated(ProtoTime.toTimestamp(row.created));
        if (row.selectionJson != null) {
            fit.setSelection(mergeJson(row.selectionJson, EvalSelection.newBuilder()));
        }
        return fit.build();
    }

    private static Coefficient coefficient(double estimate, double stderr, double low, double high,
                                                            boolean estimated) {
        return Coefficient.newBuilder()
                .setEstimate(estimate).setStandardError(stderr).setCiLow(low).setCiHigh(high).setEstimated(estimated)
                .build();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
