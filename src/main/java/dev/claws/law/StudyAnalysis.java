package dev.claws.law;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compression-law analysis of a study's measurements, per setting (intrinsic / extrinsic x method x without / with
 * RFT):
 * <ul>
 *   <li>the law {@code L = L0^alpha (1+r)^beta (1 + 1/(D+1))^gamma} fitted by {@link LawFitter} on the setting's
 *       compressed cells (every seed and task; the base model enters as each point's L0, not as a point of its own,
 *       since the law at r = 0, D = 0 gives L0^alpha 2^gamma rather than L0); without RFT the form is
 *       {@link FitForm#WITHOUT_RFT} (one base model: log L0 and log 2 are both constant), with RFT {@link FitForm#FULL}
 *       over every D of the method;</li>
 *   <li>a held-out check per ratio: fit on all other ratios, predict the held-out points;</li>
 *   <li>the critical ratio with unlimited RFT at the threshold sigma ({@link CriticalRatio});</li>
 *   <li>the shape check (linear vs quadratic in r, F test) per method, D and task, on the cells and the base model's
 *       value at r = 0;</li>
 *   <li>the RFT recovery fraction of every cell with D > 0.</li>
 * </ul>
 * Failures of a single fit or check (too few points, collinear design) are kept as text next to the setting, so one
 * degenerate setting never hides the others.
 *
 * @param extrinsicMetric the accuracy metric the extrinsic settings use
 */
public record StudyAnalysis(String extrinsicMetric, double intrinsicSigma, double extrinsicSigma,
                            List<StudyObservation> observations, List<SpeedObservation> speeds,
                            List<SettingFit> settings, List<ShapeResult> shapes, List<RecoveryFraction> recoveries) {

    public static final String INTRINSIC_METRIC = "cross_entropy";

    public StudyAnalysis {
        observations = List.copyOf(observations);
        speeds = List.copyOf(speeds);
        settings = List.copyOf(settings);
        shapes = List.copyOf(shapes);
        recoveries = List.copyOf(recoveries);
    }

    /** A copy with the settings replaced (e.g. after their fits were stored and got ids). */
    public StudyAnalysis withSettings(List<SettingFit> replaced) {
        return new StudyAnalysis(extrinsicMetric, intrinsicSigma, extrinsicSigma, observations, speeds, replaced,
                shapes, recoveries);
    }

    /**
     * Analyses the observations of a study.
     *
     * @param observations every measured value of every cell (the base model is not a cell: its values are the
     *                     observations' baseValue)
     */
    public static StudyAnalysis analyze(List<StudyObservation> observations, List<SpeedObservation> speeds,
                                        String extrinsicMetric, double intrinsicSigma, double extrinsicSigma) {
        Set<String> methods = new LinkedHashSet<>();
        observations.forEach(o -> methods.add(o.method()));
        List<SettingFit> settings = new ArrayList<>();
        List<ShapeResult> shapes = new ArrayList<>();
        for (boolean intrinsic : new boolean[] {true, false}) {
            String metric = intrinsic ? INTRINSIC_METRIC : extrinsicMetric;
            double sigma = intrinsic ? intrinsicSigma : extrinsicSigma;
            for (String method : methods) {
                List<StudyObservation> own = observations.stream()
                        .filter(o -> o.intrinsic() == intrinsic && o.metric().equals(metric)
                                && o.method().equals(method))
                        .toList();
                if (own.isEmpty()) {
                    continue;
                }
                settings.add(setting(intrinsic, method, false, metric, sigma,
                        own.stream().filter(o -> o.rftTokens() == 0).toList()));
                if (own.stream().anyMatch(o -> o.rftTokens() > 0)) {
                    settings.add(setting(intrinsic, method, true, metric, sigma, own));
                }
                shapes.addAll(shapes(intrinsic, method, metric, own));
            }
        }
        return new StudyAnalysis(extrinsicMetric, intrinsicSigma, extrinsicSigma, observations, speeds, settings,
                shapes, recoveries(observations, extrinsicMetric));
    }

    private record Labeled(MeasuredPoint point, String label) {
    }

    /** Whether L and L0 can enter a log-space fit (an accuracy of 0 on a small sample cannot). */
    private static boolean usable(StudyObservation o) {
        return o.value() > 0 && o.baseValue() > 0;
    }

    private static List<Labeled> points(List<StudyObservation> own) {
        return own.stream().filter(StudyAnalysis::usable).map(o -> new Labeled(new MeasuredPoint(o.value(), o.baseValue(), o.ratio(), o.rftTokens()),
                o.variant() + "/" + o.task())).toList();
    }

    private static SettingFit setting(boolean intrinsic, String method, boolean withRft, String metric, double sigma,
                                      List<StudyObservation> own) {
        FitForm form = withRft ? FitForm.FULL : FitForm.WITHOUT_RFT;
        List<Labeled> labeled = points(own);
        List<String> labels = labeled.stream().map(Labeled::label).toList();
        List<String> dropped = own.stream().filter(o -> !usable(o)).map(o -> o.variant() + "/" + o.task() + ": L = "
                + o.value() + ", L0 = " + o.baseValue() + " (not > 0, so not in the log-space fit)").toList();
        List<MeasuredPoint> points = labeled.stream().map(Labeled::point).toList();
        FittedLaw fit;
        try {
            fit = LawFitter.fit(points, form);
        } catch (LawInputException e) {
            return new SettingFit(intrinsic, method, withRft, metric, null, e.getMessage(), labels, dropped,
                    List.of(), null, sigma, null, null, null);
        }
        List<HeldOutCheck> heldOut = new ArrayList<>();
        for (double ratio : new TreeSet<>(own.stream().map(StudyObservation::ratio).toList())) {
            heldOut.add(heldOut(points, form, ratio));
        }
        double sum = 0;
        int counted = 0;
        for (HeldOutCheck h : heldOut) {
            if (h.meanAbsRelativeError() != null) {
                sum += h.meanAbsRelativeError();
                counted++;
            }
        }
        CriticalRatio critical = null;
        String criticalError = null;
        try {
            critical = CriticalRatio.of(fit, sigma);
        } catch (LawInputException e) {
            criticalError = e.getMessage();
        }
        return new SettingFit(intrinsic, method, withRft, metric, fit, null, labels, dropped, heldOut,
                counted == 0 ? null : sum / counted, sigma, critical, criticalError, null);
    }

    /** Fits without the points at {@code ratio} and predicts them. */
    static HeldOutCheck heldOut(List<MeasuredPoint> points, FitForm form, double ratio) {
        List<MeasuredPoint> train = points.stream().filter(p -> p.ratio() != ratio).toList();
        List<MeasuredPoint> test = points.stream().filter(p -> p.ratio() == ratio).toList();
        FittedLaw fit;
        try {
            fit = LawFitter.fit(train, form);
        } catch (LawInputException e) {
            return new HeldOutCheck(ratio, test.size(), null, null, 0, e.getMessage());
        }
        double sum = 0;
        double max = 0;
        int covered = 0;
        for (MeasuredPoint p : test) {
            LawPrediction prediction = LawPrediction.predict(fit, p.baseMetric(), p.ratio(), p.rftSize());
            double error = Math.abs(prediction.predicted() - p.metric()) / p.metric();
            sum += error;
            max = Math.max(max, error);
            covered += prediction.covers(p.metric()) ? 1 : 0;
        }
        return new HeldOutCheck(ratio, test.size(), sum / test.size(), max, covered, null);
    }

    private static List<ShapeResult> shapes(boolean intrinsic, String method, String metric,
                                            List<StudyObservation> own) {
        List<ShapeResult> out = new ArrayList<>();
        Set<Long> budgets = new TreeSet<>(own.stream().map(StudyObservation::rftTokens).toList());
        Set<String> tasks = new LinkedHashSet<>(own.stream().map(StudyObservation::task).toList());
        for (long d : budgets) {
            for (String task : tasks) {
                List<StudyObservation> cells = own.stream()
                        .filter(o -> o.rftTokens() == d && o.task().equals(task) && usable(o)).toList();
                if (cells.isEmpty()) {
                    out.add(new ShapeResult(intrinsic, method, d, task, metric, null, "no cell with L > 0"));
                    continue;
                }
                double[] ratios = new double[cells.size() + 1];
                double[] values = new double[cells.size() + 1];
                values[0] = cells.get(0).baseValue();
                for (int i = 0; i < cells.size(); i++) {
                    ratios[i + 1] = cells.get(i).ratio();
                    values[i + 1] = cells.get(i).value();
                }
                try {
                    out.add(new ShapeResult(intrinsic, method, d, task, metric, RatioShapeCheck.of(ratios, values), null));
                } catch (LawInputException e) {
                    out.add(new ShapeResult(intrinsic, method, d, task, metric, null, e.getMessage()));
                }
            }
        }
        return out;
    }

    private static List<RecoveryFraction> recoveries(List<StudyObservation> observations, String extrinsicMetric) {
        List<RecoveryFraction> out = new ArrayList<>();
        for (StudyObservation o : observations) {
            if (o.rftTokens() == 0 || !(o.metric().equals(INTRINSIC_METRIC) || o.metric().equals(extrinsicMetric))) {
                continue;
            }
            observations.stream()
                    .filter(c -> c.rftTokens() == 0 && c.method().equals(o.method()) && c.ratio() == o.ratio()
                            && c.seed() == o.seed() && c.task().equals(o.task()) && c.metric().equals(o.metric()))
                    .findFirst()
                    .ifPresent(c -> {
                        double damage = o.intrinsic() ? c.value() - o.baseValue() : o.baseValue() - c.value();
                        double regained = o.intrinsic() ? c.value() - o.value() : o.value() - c.value();
                        Double fraction = damage == 0 ? null : regained / damage;
                        out.add(new RecoveryFraction(o.method(), o.ratio(), o.seed(), o.rftTokens(), o.task(),
                                o.metric(), o.intrinsic(), o.baseValue(), c.value(), o.value(), fraction));
                    });
        }
        return out;
    }

    /** The setting of that kind, method and RFT choice, if it was fitted. */
    public java.util.Optional<SettingFit> setting(boolean intrinsic, String method, boolean withRft) {
        return settings.stream().filter(s -> s.intrinsic() == intrinsic && Objects.equals(s.method(), method)
                && s.withRft() == withRft).findFirst();
    }
}
