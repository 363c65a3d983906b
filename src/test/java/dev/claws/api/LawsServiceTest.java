package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.CriticalOutcome;
import dev.claws.api.v1.CriticalRatioRequest;
import dev.claws.api.v1.CriticalRatioResponse;
import dev.claws.api.v1.EvalSelection;
import dev.claws.api.v1.FitLawRequest;
import dev.claws.api.v1.GetLawFitRequest;
import dev.claws.api.v1.LawFit;
import dev.claws.api.v1.LawForm;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawPoint;
import dev.claws.api.v1.LawPoints;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.ListLawFitsRequest;
import dev.claws.api.v1.PredictLossRequest;
import dev.claws.api.v1.PredictLossResponse;
import dev.claws.law.CriticalRatio;
import dev.claws.law.LawFitter;
import dev.claws.law.LawPrediction;
import dev.claws.store.EvalResultEntity;
import dev.claws.store.EvalResultRepository;
import dev.claws.store.VariantEntity.Method;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.claws.law.FittedLaw;
import dev.claws.law.MeasuredPoint;

/**
 * FitLaw, GetLawFit, ListLawFits, PredictLoss and CriticalRatio over a real gRPC channel. The numbers are compared with
 * the law layer called directly on the same points, so the API adds nothing and loses nothing (the stored fit is
 * rebuilt from its row for every prediction).
 */
@QuarkusTest
class LawsServiceTest {

    /** The extrinsic law used to generate points: L0^0.98 (1+r)^-1.03 (1 + 1/(D+1))^-0.12. */
    private static final double ALPHA = 0.98;
    private static final double BETA = -1.03;
    private static final double GAMMA = -0.12;

    @Inject
    EvalResultRepository evalResults;

    private ManagedChannel channel;
    private LawsGrpc.LawsBlockingStub laws;

    @BeforeEach
    void connect() {
        channel = GrpcTestChannel.open();
        laws = LawsGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private static double law(double l0, double r, double d) {
        return Math.pow(l0, ALPHA) * Math.pow(1 + r, BETA) * Math.pow(1 + 1 / (d + 1), GAMMA);
    }

    /** Points from the law with multiplicative log-normal noise (sd 0.01), over 3 bases, 5 ratios and 3 RFT sizes. */
    private static List<LawPoint> noisyPoints(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<LawPoint> points = new ArrayList<>();
        for (double l0 : new double[] {0.55, 0.65, 0.75}) {
            for (double r : new double[] {0.1, 0.2, 0.3, 0.5, 0.7}) {
                for (double d : new double[] {0, 1e5, 1e7}) {
                    double noise = Math.exp(0.01 * gaussian(random));
                    points.add(LawPoint.newBuilder().setL(law(l0, r, d) * noise).setL0(l0).setR(r).setD(d)
                            .setLabel("l0=" + l0 + " r=" + r + " d=" + d).build());
                }
            }
        }
        return points;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static FitLawRequest explicit(String name, LawKind kind, List<LawPoint> points) {
        return FitLawRequest.newBuilder().setName(name).setKind(kind)
                .setPoints(LawPoints.newBuilder().addAllPoints(points)).build();
    }

    private static List<MeasuredPoint> lawPoints(List<LawPoint> points) {
        return points.stream().map(p -> new MeasuredPoint(p.getL(), p.getL0(), p.getR(), p.getD())).toList();
    }

    @Test
    void fitGetListPredictAndCriticalRatioEndToEnd() {
        List<LawPoint> points = noisyPoints(7);
        LawFit fit = laws.fitLaw(explicit("extrinsic e2e", LawKind.LAW_KIND_EXTRINSIC, points));

        assertTrue(fit.getId() > 0);
        assertEquals("extrinsic e2e", fit.getName());
        assertEquals(LawKind.LAW_KIND_EXTRINSIC, fit.getKind());
        assertEquals(LawForm.LAW_FORM_FULL, fit.getForm());
        assertEquals(points.size(), fit.getNPoints());
        assertEquals(points, fit.getPointsList());
        assertEquals(points.size(), fit.getResidualsCount());
        assertEquals(9, fit.getCovarianceCount());
        assertEquals(points.size() - 3, fit.getDegreesOfFreedom());
        assertTrue(fit.getAlpha().getCiLow() <= ALPHA && ALPHA <= fit.getAlpha().getCiHigh(), fit.getAlpha().toString());
        assertTrue(fit.getBeta().getCiLow() <= BETA && BETA <= fit.getBeta().getCiHigh(), fit.getBeta().toString());
        assertTrue(fit.getGamma().getCiLow() <= GAMMA && GAMMA <= fit.getGamma().getCiHigh(), fit.getGamma().toString());
        assertTrue(fit.getGamma().getEstimated());
        assertTrue(fit.getR2Log() > 0.99 && fit.getR2Linear() > 0.9, fit.getR2Log() + " " + fit.getR2Linear());
        assertTrue(fit.hasShape());
        assertEquals(2, fit.getShape().getLinearCoefficientsCount());
        assertEquals(3, fit.getShape().getQuadraticCoefficientsCount());
        assertTrue(fit.getShape().getQuadraticR2() >= fit.getShape().getLinearR2());

        FittedLaw direct = LawFitter.fit(lawPoints(points));
        assertEquals(direct.alpha().estimate(), fit.getAlpha().getEstimate(), 0);
        assertEquals(direct.beta().standardError(), fit.getBeta().getStandardError(), 0);
        assertEquals(direct.gamma().upper95(), fit.getGamma().getCiHigh(), 0);
        assertEquals(direct.rSquaredLogUncentered(), fit.getR2Log(), 0);
        assertEquals(direct.rSquaredLog(), fit.getR2LogCentered(), 0);
        assertEquals(direct.residualStandardError(), fit.getResidualStandardError(), 0);

        assertEquals(fit, laws.getLawFit(GetLawFitRequest.newBuilder().setId(fit.getId()).build()));
        assertTrue(laws.listLawFits(ListLawFitsRequest.newBuilder().setKind(LawKind.LAW_KIND_EXTRINSIC).build())
                .getFitsList().contains(fit));
        assertFalse(laws.listLawFits(ListLawFitsRequest.newBuilder().setKind(LawKind.LAW_KIND_INTRINSIC).build())
                .getFitsList().stream().anyMatch(f -> f.getId() == fit.getId()));

        PredictLossResponse predicted = laws.predictLoss(PredictLossRequest.newBuilder()
                .setFitId(fit.getId()).setL0(0.7).setR(0.4).setD(1e6).build());
        LawPrediction expected = LawPrediction.predict(direct, 0.7, 0.4, 1e6);
        assertEquals(expected.predicted(), predicted.getL(), 1e-15);
        assertEquals(expected.lower(), predicted.getIntervalLow(), 1e-15);
        assertEquals(expected.upper(), predicted.getIntervalHigh(), 1e-15);
        assertEquals(0.95, predicted.getConfidence());
        assertTrue(predicted.getIntervalLow() < law(0.7, 0.4, 1e6) && law(0.7, 0.4, 1e6) < predicted.getIntervalHigh());
        PredictLossResponse narrow = laws.predictLoss(PredictLossRequest.newBuilder()
                .setFitId(fit.getId()).setL0(0.7).setR(0.4).setD(1e6).setConfidence(0.5).build());
        assertEquals(0.5, narrow.getConfidence());
        assertTrue(narrow.getIntervalHigh() - narrow.getIntervalLow()
                < predicted.getIntervalHigh() - predicted.getIntervalLow());

        CriticalRatioResponse critical = laws.criticalRatio(CriticalRatioRequest.newBuilder()
                .setFitId(fit.getId()).setSigma(0.8).build());
        CriticalRatio expectedCritical = CriticalRatio.of(direct, 0.8);
        assertEquals(expectedCritical.ratio(), critical.getRCritical(), 1e-15);
        assertEquals(Math.pow(0.8, 1 / fit.getBeta().getEstimate()) - 1, critical.getRCritical(), 1e-12);
        assertTrue(critical.getWithinRange());
        assertEquals(CriticalOutcome.CRITICAL_OUTCOME_WITHIN_RANGE, critical.getOutcome());
        assertEquals("r_critical = sigma^(1/beta) - 1", critical.getFormula());
        assertTrue(critical.getIntervalAvailable());
        assertTrue(critical.getCiLow() < critical.getRCritical() && critical.getRCritical() < critical.getCiHigh());
        assertEquals(expectedCritical.meaning(), critical.getMeaning());

        CriticalRatioResponse noRft = laws.criticalRatio(CriticalRatioRequest.newBuilder()
                .setFitId(fit.getId()).setSigma(0.8).setD(0).build());
        assertEquals(CriticalRatio.of(direct, 0.8, 0).ratio(), noRft.getRCritical(), 1e-15);
        assertTrue(noRft.getRCritical() < critical.getRCritical(), "without RFT less compression is tolerable");
        assertFalse(noRft.getIntervalAvailable());
    }

    @Test
    void publishedExtrinsicLawIsRecoveredWithoutTheRftTerm() {
        List<LawPoint> points = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(11);
        for (double l0 : new double[] {0.5, 0.6, 0.7, 0.8}) {
            for (double r : new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}) {
                double l = Math.pow(l0, 0.98) * Math.pow(1 + r, -1.03) * Math.exp(0.005 * gaussian(random));
                points.add(LawPoint.newBuilder().setL(l).setL0(l0).setR(r).build());
            }
        }
        LawFit fit = laws.fitLaw(explicit("published", LawKind.LAW_KIND_EXTRINSIC, points).toBuilder()
                .setForm(LawForm.LAW_FORM_WITHOUT_RFT).build());
        assertEquals(LawForm.LAW_FORM_WITHOUT_RFT, fit.getForm());
        assertTrue(fit.getAlpha().getCiLow() <= 0.98 && 0.98 <= fit.getAlpha().getCiHigh(), fit.getAlpha().toString());
        assertTrue(fit.getBeta().getCiLow() <= -1.03 && -1.03 <= fit.getBeta().getCiHigh(), fit.getBeta().toString());
        assertFalse(fit.getGamma().getEstimated());
        assertEquals(0, fit.getGamma().getEstimate());
        assertEquals(points.size() - 2, fit.getDegreesOfFreedom());
        PredictLossResponse p = laws.predictLoss(PredictLossRequest.newBuilder()
                .setFitId(fit.getId()).setL0(0.7).setR(0.3).build());
        assertEquals(Math.pow(0.7, 0.98) * Math.pow(1.3, -1.03), p.getL(), 0.01);
    }

    @Test
    void storedEvaluationsAreSelectedAndPairedWithTheirBase() {
        String base = "lawbase-" + UUID.randomUUID().toString().substring(0, 8);
        storeEval(base, base, "piqa", 0.74, Method.NONE, 0);
        storeEval(base, base, "arc_easy", 0.62, Method.NONE, 0);
        double[] ratios = {0.1, 0.3, 0.5, 0.7};
        for (double r : ratios) {
            for (String task : List.of("piqa", "arc_easy")) {
                double l0 = task.equals("piqa") ? 0.74 : 0.62;
                storeEval(base + "-sg" + (int) (r * 100), base, task, Math.pow(l0, 0.98) * Math.pow(1 + r, -1.03)
                        * (1 + 0.003 * Math.sin(17 * r + task.length())), Method.SLICEGPT, r);
                storeEval(base + "-rp" + (int) (r * 100), base, task, Math.pow(l0, 0.98) * Math.pow(1 + r, -0.8)
                        * (1 + 0.003 * Math.cos(13 * r + task.length())), Method.RANDOM_PRUNE, r);
            }
        }
        storeEval(base + "-sg30", base, "boolq", 0.5, Method.SLICEGPT, 0.3); // no base row for boolq

        EvalSelection all = EvalSelection.newBuilder().addBaseModels(base).setMetric("acc").build();
        FitLawRequest request = FitLawRequest.newBuilder().setName("selected").setKind(LawKind.LAW_KIND_EXTRINSIC)
                .setForm(LawForm.LAW_FORM_WITHOUT_RFT).setSelection(all).build();
        LawFit fit = laws.fitLaw(request);
        assertEquals(16, fit.getNPoints());
        assertEquals("acc", fit.getMetric());
        assertEquals(all, fit.getSelection());
        assertTrue(fit.getPointsList().stream().anyMatch(p -> p.getLabel().equals(base + "-sg30/piqa/acc")
                && p.getL0() == 0.74 && p.getR() == 0.3));
        assertTrue(fit.getNotesList().stream().anyMatch(n -> n.contains(base + "-sg30/boolq/acc")), fit.getNotesList()
                .toString());

        LawFit sliceGptOnly = laws.fitLaw(request.toBuilder().setSelection(all.toBuilder()
                .addMethods(CompressionMethod.COMPRESSION_METHOD_SLICEGPT).addTasks("piqa")).build());
        assertEquals(4, sliceGptOnly.getNPoints());
        assertTrue(sliceGptOnly.getBeta().getCiLow() <= -1.03 && -1.03 <= sliceGptOnly.getBeta().getCiHigh(),
                sliceGptOnly.getBeta().toString());
        assertEquals(0.98, sliceGptOnly.getAlpha().getEstimate(), 0.02);

        StatusRuntimeException nothing = assertThrows(StatusRuntimeException.class, () -> laws.fitLaw(request.toBuilder()
                .setSelection(all.toBuilder().setMetric("acc_norm")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, nothing.getStatus().getCode());
        assertEquals("selection gave 0 point(s): points: need at least 3 points to fit the WITHOUT_RFT law (2"
                + " coefficients plus one degree of freedom for the error variance), got 0", nothing.getStatus().getDescription());
    }

    private void storeEval(String variant, String base, String task, double value, Method method, double ratio) {
        QuarkusTransaction.requiringNew().run(() -> {
            EvalResultEntity row = new EvalResultEntity();
            row.variant = variant;
            row.baseModel = base;
            row.task = task;
            row.metric = "acc";
            row.value = value;
            row.stderr = 0.01;
            row.samples = 500;
            row.method = method;
            row.ratio = ratio;
            evalResults.persist(row);
        });
    }

    @Test
    void degenerateInputIsInvalidArgumentNamingTheProblem() {
        List<LawPoint> good = noisyPoints(3);
        assertInvalid("name is required: 1 to 128 characters, not only spaces, got 0 characters",
                explicit("", LawKind.LAW_KIND_EXTRINSIC, good));
        assertInvalid("kind is required: LAW_KIND_INTRINSIC or LAW_KIND_EXTRINSIC, got 0",
                explicit("k", LawKind.LAW_KIND_UNSPECIFIED, good));
        assertInvalid("source is required: set points (explicit) or selection (stored EvalResult rows)",
                FitLawRequest.newBuilder().setName("s").setKind(LawKind.LAW_KIND_INTRINSIC).build());
        assertInvalid("points: need at least 4 points to fit the FULL law (3 coefficients plus one degree of freedom"
                + " for the error variance), got 2", explicit("few", LawKind.LAW_KIND_EXTRINSIC, good.subList(0, 2)));
        Function<LawPoint.Builder, FitLawRequest> withFirst = b -> {
            List<LawPoint> points = new ArrayList<>(good);
            points.set(0, b.build());
            return explicit("bad", LawKind.LAW_KIND_INTRINSIC, points);
        };
        assertInvalid("points.points[0].metric (L) = -1.00000 is outside the allowed range: finite and > 0",
                withFirst.apply(good.get(0).toBuilder().setL(-1)));
        assertInvalid("points.points[0].ratio (r) = 1.00000 is outside the allowed range [0, 1)",
                withFirst.apply(good.get(0).toBuilder().setR(1)));
        assertInvalid("points.points[0].rft_size (D) = -5.00000 is outside the allowed range: finite and >= 0",
                withFirst.apply(good.get(0).toBuilder().setD(-5)));
        List<LawPoint> tooHigh = new ArrayList<>(good);
        tooHigh.set(2, good.get(2).toBuilder().setL(1.5).build());
        assertInvalid("points.points[2].l = 1.5 is outside the allowed range (0, 1] of an extrinsic law (L is an"
                + " accuracy)", explicit("acc", LawKind.LAW_KIND_EXTRINSIC, tooHigh));

        // one base model, no RFT: log L0 and log 2 are both constant columns
        List<LawPoint> collinear = new ArrayList<>();
        for (double r : new double[] {0.1, 0.3, 0.5, 0.7}) {
            collinear.add(LawPoint.newBuilder().setL(law(0.6, r, 0)).setL0(0.6).setR(r).build());
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> laws.fitLaw(explicit("collinear", LawKind.LAW_KIND_EXTRINSIC, collinear)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("WITHOUT_RFT"), e.getStatus().getDescription());

        assertInvalid("selection.metric must be one of [cross_entropy] for a LAW_KIND_INTRINSIC fit, got 'acc'",
                FitLawRequest.newBuilder().setName("m").setKind(LawKind.LAW_KIND_INTRINSIC)
                        .setSelection(EvalSelection.newBuilder().setMetric("acc")).build());

        LawFit fit = laws.fitLaw(explicit("for errors", LawKind.LAW_KIND_EXTRINSIC, good));
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> laws.predictLoss(
                PredictLossRequest.newBuilder().setFitId(Long.MAX_VALUE).setL0(0.5).setR(0.2).build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        assertStatus(Status.Code.INVALID_ARGUMENT, "confidence = 1.50000 is outside the allowed range (0, 1)",
                () -> laws.predictLoss(PredictLossRequest.newBuilder().setFitId(fit.getId()).setL0(0.5).setR(0.2)
                        .setConfidence(1.5).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "ratio (r) = 1.00000 is outside the allowed range [0, 1)",
                () -> laws.predictLoss(PredictLossRequest.newBuilder().setFitId(fit.getId()).setL0(0.5).setR(1)
                        .build()));
        StatusRuntimeException sigma = assertThrows(StatusRuntimeException.class, () -> laws.criticalRatio(
                CriticalRatioRequest.newBuilder().setFitId(fit.getId()).setSigma(1.2).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, sigma.getStatus().getCode());
        assertTrue(sigma.getStatus().getDescription().startsWith("sigma = 1.20000 is outside the allowed range (0, 1)"),
                sigma.getStatus().getDescription());
        assertStatus(Status.Code.INVALID_ARGUMENT, "d must be finite and >= 0 (leave it unset for unlimited RFT), got -1.0",
                () -> laws.criticalRatio(CriticalRatioRequest.newBuilder().setFitId(fit.getId()).setSigma(0.8)
                        .setD(-1).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, "fit_id must be a positive id, got 0",
                () -> laws.criticalRatio(CriticalRatioRequest.newBuilder().setSigma(0.8).build()));
    }

    private void assertInvalid(String message, FitLawRequest request) {
        assertStatus(Status.Code.INVALID_ARGUMENT, message, () -> laws.fitLaw(request));
    }

    private static void assertStatus(Status.Code code, String message, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(message, e.getStatus().getDescription());
    }
}
