package dev.claws.api;

import dev.claws.api.v1.CriticalOutcome;
import dev.claws.api.v1.CriticalRatioResponse;
import dev.claws.api.v1.EvalSelection;
import dev.claws.api.v1.LawFit;
import dev.claws.api.v1.LawForm;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawPoint;
import dev.claws.api.v1.LawPoints;
import dev.claws.api.v1.PredictLossResponse;
import dev.claws.api.v1.ShapeCheck;
import dev.claws.law.CoefficientEstimate;
import dev.claws.law.CriticalRatio;
import dev.claws.law.LawPrediction;
import java.util.ArrayList;
import java.util.List;
import dev.claws.law.FitForm;
import dev.claws.law.FittedLaw;
import dev.claws.store.LawFitEntity;
import dev.claws.api.v1.Coefficient;
import dev.claws.law.MeasuredPoint;
import dev.claws.law.RatioShapeCheck;

/**
 * Maps the law layer's values to API messages and stored rows, and a stored fit back to the law layer's
 * {@link dev.claws.law.FittedLaw} so predictions after a restart use exactly what was fitted.
 */
final class LawMapping {

    private LawMapping() {
    }

    /** A labelled point of a fit: the law's point and where it came from. */
    record Labeled(MeasuredPoint point, String label) {
    }

    static FitForm form(LawForm form) {
        return form == LawForm.LAW_FORM_WITHOUT_RFT ? FitForm.WITHOUT_RFT : FitForm.FULL;
    }

    static LawForm form(FitForm form) {
        return form == FitForm.WITHOUT_RFT ? LawForm.LAW_FORM_WITHOUT_RFT : LawForm.LAW_FORM_FULL;
    }

    /**
     * The row to store for a fit. Coefficients are columns; points go to points_json; everything else the API reports
     * (residuals, covariance, notes, shape) goes to diagnostics_json as a partial claws.v1.LawFit document.
     */
    static LawFitEntity row(String name, LawKind kind, String metric, FittedLaw fit,
                                      List<Labeled> points, RatioShapeCheck shape, List<String> notes,
                                      EvalSelection selection) {
        LawFitEntity row = new LawFitEntity();
        row.name = name;
        row.kind = StoreMapping.kind(kind);
        row.metric = metric;
        row.alpha = fit.alpha().estimate();
        row.alphaStderr = fit.alpha().standardError();
        row.alphaCiLow = fit.alpha().lower95();
        row.alphaCiHigh = fit.alpha().upper95();
        row.beta = fit.beta().estimate();
        row.betaStderr = fit.beta().standardError();
        row.betaCiLow = fit.beta().lower95();
        row.betaCiHigh = fit.beta().upper95();
        row.gamma = fit.gamma().estimate();
        row.gammaStderr = fit.gamma().standardError();
        row.gammaCiLow = fit.gamma().lower95();
        row.gammaCiHigh = fit.gamma().upper95();
        row.r2Log = fit.rSquaredLogUncentered();
        row.r2Linear = fit.rSquaredLinear();
        row.nPoints = fit.n();
        row.pointsJson = StoreMapping.toJson(LawPoints.newBuilder()
                .addAllPoints(points.stream().map(LawMapping::point).toList()).build());
        List<String> allNotes = new ArrayList<>(fit.notes());
        allNotes.addAll(notes);
        LawFit.Builder diagnostics = LawFit.newBuilder()
                .setForm(form(fit.form()))
                .setR2LogCentered(fit.rSquaredLog())
                .addAllResiduals(fit.residuals())
                .setResidualStandardError(fit.residualStandardError())
                .addAllCovariance(fit.covariance())
                .setResidualVariance(fit.residualVariance())
                .setDegreesOfFreedom(fit.degreesOfFreedom())
                .addAllNotes(allNotes);
        if (shape != null) {
            diagnostics.setShape(shape(shape));
        }
        row.diagnosticsJson = StoreMapping.toJson(diagnostics.build());
        row.selectionJson = selection == null ? null : StoreMapping.toJson(selection);
        return row;
    }

    /**
     * The law layer's fit behind a stored one. Fits stored before covariance was kept cannot give prediction intervals;
     * they are refused rather than answered with a made-up interval.
     */
    static FittedLaw lawFit(LawFit stored) {
        if (stored.getCovarianceCount() != 9 || stored.getDegreesOfFreedom() < 1
                || stored.getResidualsCount() != stored.getPointsCount()) {
            throw ErrorStatus.failedPrecondition("law fit " + stored.getId() + " was stored without its covariance and degrees"
                    + " of freedom, which predictions need; fit it again with FitLaw");
        }
        FitForm form = form(stored.getForm());
        List<MeasuredPoint> points = stored.getPointsList().stream()
                .map(p -> new MeasuredPoint(p.getL(), p.getL0(), p.getR(), p.getD())).toList();
        return new FittedLaw(form, points,
                coefficient("alpha", stored.getAlpha(), true),
                coefficient("beta", stored.getBeta(), true),
                coefficient("gamma", stored.getGamma(), form.hasRftTerm()),
                stored.getCovarianceList(), stored.getResidualVariance(), stored.getDegreesOfFreedom(),
                stored.getR2LogCentered(), stored.getR2Log(), stored.getR2Linear(), stored.getResidualsList(),
                stored.getNotesList());
    }

    static PredictLossResponse prediction(LawPrediction p) {
        return PredictLossResponse.newBuilder()
                .setL(p.predicted())
                .setIntervalLow(p.lower())
                .setIntervalHigh(p.upper())
                .setConfidence(p.confidence())
                .build();
    }

    static CriticalRatioResponse criticalRatio(CriticalRatio c) {
        boolean unlimited = c.rftSize() == Double.POSITIVE_INFINITY;
        return CriticalRatioResponse.newBuilder()
                .setRCritical(c.ratio())
                .setWithinRange(c.outcome() == CriticalRatio.Outcome.WITHIN_RANGE)
                .setFormula(unlimited ? "r_critical = sigma^(1/beta) - 1"
                        : "r_critical = (sigma / (1 + 1/(D + 1))^gamma)^(1/beta) - 1")
                .setOutcome(CriticalOutcome.valueOf("CRITICAL_OUTCOME_" + c.outcome().name()))
                .setIntervalAvailable(c.intervalAvailable())
                .setCiLow(c.lower95())
                .setCiHigh(c.upper95())
                .setMeaning(c.meaning())
                .build();
    }

    private static LawPoint point(Labeled labeled) {
        MeasuredPoint p = labeled.point();
        return LawPoint.newBuilder()
                .setL(p.metric()).setL0(p.baseMetric()).setR(p.ratio()).setD(p.rftSize())
                .setLabel(labeled.label())
                .build();
    }

    static ShapeCheck shape(RatioShapeCheck shape) {
        return ShapeCheck.newBuilder()
                .addAllLinearCoefficients(shape.linear().coefficients().stream().map(CoefficientEstimate::estimate).toList())
                .setLinearR2(shape.linear().rSquared())
                .addAllQuadraticCoefficients(shape.quadratic().coefficients().stream().map(CoefficientEstimate::estimate).toList())
                .setQuadraticR2(shape.quadratic().rSquared())
                .setPreferred(shape.shape() == RatioShapeCheck.Shape.QUADRATIC ? "quadratic" : "linear")
                .setFStatistic(shape.fStatistic())
                .setPValue(shape.pValue())
                .build();
    }

    private static CoefficientEstimate coefficient(String name, Coefficient c, boolean estimated) {
        return new CoefficientEstimate(name, c.getEstimate(), c.getStandardError(), c.getCiLow(), c.getCiHigh(), estimated);
    }
}
