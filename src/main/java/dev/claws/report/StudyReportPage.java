package dev.claws.report;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import dev.claws.law.CoefficientEstimate;
import dev.claws.law.CriticalRatio;
import dev.claws.law.HeldOutCheck;
import dev.claws.law.FittedLaw;
import dev.claws.law.RecoveryFraction;
import dev.claws.law.SettingFit;
import dev.claws.law.ShapeResult;
import dev.claws.law.SpeedObservation;
import dev.claws.law.StudyAnalysis;
import dev.claws.law.StudyObservation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a study's analysis as one self-contained HTML page (template {@code report/study-report.html}, Jinjava with
 * autoescaping; figures embedded as base64 data: URIs) plus the figures as PNG files. The page holds: the paper's
 * findings next to this study's, the coefficient table (alpha, beta, gamma with 95% intervals, R², points, held-out
 * error, critical ratio), the figures, the shape checks, RFT recovery, decode speedups and every measurement.
 */
public final class StudyReportPage {

    private static final String TEMPLATE = "report/study-report.html";

    private StudyReportPage() {
    }

    public static RenderedReport render(String name, String base, long jobId, StudyAnalysis a) {
        List<RenderedReport.Figure> figures = StudyFigures.all(a);
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("name", name);
        page.put("base", base);
        page.put("job_id", jobId);
        page.put("extrinsic_metric", a.extrinsicMetric());
        page.put("findings", findings(a));
        page.put("settings", a.settings().stream().map(StudyReportPage::setting).toList());
        page.put("figures", figures.stream().map(f -> Map.of("name", f.name(), "caption", f.caption(),
                "src", "data:" + f.contentType() + ";base64," + Base64.getEncoder().encodeToString(f.data()))).toList());
        page.put("shapes", a.shapes().stream().map(StudyReportPage::shape).toList());
        page.put("recoveries", a.recoveries().stream().map(StudyReportPage::recovery).toList());
        page.put("speeds", a.speeds().stream().map(StudyReportPage::speed).toList());
        page.put("measurements", a.observations().stream().map(StudyReportPage::measurement).toList());
        page.put("held_out", heldOut(a));
        return new RenderedReport(html(page), figures);
    }

    private static String html(Map<String, Object> page) {
        String source;
        try (InputStream in = StudyReportPage.class.getClassLoader().getResourceAsStream(TEMPLATE)) {
            source = new String(Objects.requireNonNull(in, TEMPLATE + " is missing").readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder().withFailOnUnknownTokens(true).build());
        RenderResult result = jinjava.renderForResult(source, Map.of("page", page));
        if (!result.getErrors().isEmpty()) {
            throw new IllegalStateException("report template: " + result.getErrors().get(0).getMessage());
        }
        return result.getOutput();
    }

    // ---- rows -----------------------------------------------------------------------------------------------------

    private static List<Map<String, String>> findings(StudyAnalysis a) {
        List<Map<String, String>> rows = new ArrayList<>();
        rows.add(finding(PublishedFindings.INTRINSIC_SHAPE, shapeVerdicts(a, true)));
        rows.add(finding(PublishedFindings.EXTRINSIC_SHAPE, shapeVerdicts(a, false)));
        Double best = a.recoveries().stream().filter(r -> r.intrinsic() && r.fraction() != null)
                .map(RecoveryFraction::fraction).max(Double::compare).orElse(null);
        rows.add(finding(PublishedFindings.RECOVERY, best == null ? "no cell with D > 0 in this study"
                : String.format(Locale.ROOT, "largest recovered share of the test-loss increase: %.1f%%",
                100 * best)));
        List<String> ours = new ArrayList<>();
        for (SettingFit s : a.settings()) {
            if (!s.intrinsic() && !s.withRft() && s.fit() != null) {
                ours.add(String.format(Locale.ROOT, "%s: L = L0^%.3f (1+r)^%.3f (beta 95%% CI [%.3f, %.3f])",
                        s.method(), s.fit().alpha().estimate(), s.fit().beta().estimate(),
                        s.fit().beta().lower95(), s.fit().beta().upper95()));
            }
        }
        rows.add(finding(PublishedFindings.EXTRINSIC_LAW, ours.isEmpty() ? "no extrinsic fit in this study"
                : String.join("; ", ours)));
        return rows;
    }

    private static Map<String, String> finding(String paper, String ours) {
        return Map.of("paper", paper, "ours", ours);
    }

    private static String shapeVerdicts(StudyAnalysis a, boolean intrinsic) {
        List<String> parts = new ArrayList<>();
        for (ShapeResult s : a.shapes()) {
            if (s.intrinsic() == intrinsic && s.rftTokens() == 0) {
                parts.add(s.method() + "/" + s.task() + ": " + (s.check() == null ? "no check"
                        : String.format(Locale.ROOT, "%s (F = %s, p = %s)", s.check().shape().name().toLowerCase(
                                Locale.ROOT), num(s.check().fStatistic()), num(s.check().pValue()))));
            }
        }
        return parts.isEmpty() ? "not measured in this study" : String.join("; ", parts);
    }

    private static Map<String, Object> setting(SettingFit s) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("label", s.label());
        row.put("metric", s.metric());
        FittedLaw f = s.fit();
        row.put("has_fit", f != null);
        row.put("error", s.error() == null ? "" : s.error());
        row.put("fit_id", s.lawFitId() == null ? "" : String.valueOf(s.lawFitId()));
        if (f != null) {
            row.put("form", f.form().name());
            row.put("alpha", coefficient(f.alpha()));
            row.put("beta", coefficient(f.beta()));
            row.put("gamma", coefficient(f.gamma()));
            row.put("r2_log", num(f.rSquaredLog()));
            row.put("r2_log_uncentered", num(f.rSquaredLogUncentered()));
            row.put("r2_linear", num(f.rSquaredLinear()));
            row.put("points", String.valueOf(f.n()));
            row.put("notes", String.join(" ", f.notes()));
        }
        row.put("dropped", s.dropped().isEmpty() ? "" : s.dropped().size() + " cell(s) left out: "
                + String.join("; ", s.dropped()));
        row.put("held_out", s.heldOutMeanAbsRelativeError() == null ? "n/a"
                : String.format(Locale.ROOT, "%.2f%%", 100 * s.heldOutMeanAbsRelativeError()));
        CriticalRatio c = s.critical();
        row.put("critical", c == null ? (s.criticalError() == null ? "n/a" : "n/a: " + s.criticalError())
                : String.format(Locale.ROOT, "r* = %s at sigma = %s%s (%s)", num(c.ratio()), num(s.sigma()),
                c.intervalAvailable() ? String.format(Locale.ROOT, ", 95%% CI [%s, %s]", num(c.lower95()),
                        num(c.upper95())) : "", c.meaning()));
        return row;
    }

    private static String coefficient(CoefficientEstimate c) {
        if (!c.estimated()) {
            return "0 (fixed)";
        }
        return String.format(Locale.ROOT, "%s [%s, %s]", num(c.estimate()), num(c.lower95()), num(c.upper95()));
    }

    private static List<Map<String, String>> heldOut(StudyAnalysis a) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (SettingFit s : a.settings()) {
            for (HeldOutCheck h : s.heldOut()) {
                rows.add(Map.of("setting", s.label(), "ratio", num(h.ratio()), "points", String.valueOf(h.points()),
                        "mean", h.meanAbsRelativeError() == null ? "n/a" : pct(h.meanAbsRelativeError()),
                        "max", h.maxAbsRelativeError() == null ? "n/a" : pct(h.maxAbsRelativeError()),
                        "covered", h.covered() + " of " + h.points(),
                        "error", h.error() == null ? "" : h.error()));
            }
        }
        return rows;
    }

    private static Map<String, String> shape(ShapeResult s) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("kind", s.intrinsic() ? "intrinsic" : "extrinsic");
        row.put("method", s.method());
        row.put("d", String.valueOf(s.rftTokens()));
        row.put("task", s.task() + " / " + s.metric());
        if (s.check() == null) {
            row.put("verdict", "no check: " + s.error());
            row.put("f", "");
            row.put("p", "");
            row.put("r2", "");
        } else {
            row.put("verdict", s.check().shape().name().toLowerCase(Locale.ROOT));
            row.put("f", num(s.check().fStatistic()));
            row.put("p", num(s.check().pValue()));
            row.put("r2", num(s.check().linear().rSquared()) + " / " + num(s.check().quadratic().rSquared()));
        }
        return row;
    }

    private static Map<String, String> recovery(RecoveryFraction r) {
        return Map.of("method", r.method(), "ratio", num(r.ratio()), "seed", String.valueOf(r.seed()),
                "d", String.valueOf(r.rftTokens()), "task", r.task() + " / " + r.metric(), "base", num(r.base()),
                "compressed", num(r.compressed()), "recovered", num(r.recovered()),
                "fraction", r.fraction() == null ? "n/a" : pct(r.fraction()));
    }

    private static Map<String, String> speed(SpeedObservation s) {
        return Map.of("method", s.method(), "ratio", num(s.ratio()), "seed", String.valueOf(s.seed()),
                "variant", s.variant(), "speedup", num(s.speedup()), "ideal", num(s.idealSpeedup()),
                "ms", num(s.decodeMsPerToken()) + " (spread " + num(s.decodeMsSpread()) + ")",
                "base_ms", num(s.baseDecodeMsPerToken()));
    }

    private static Map<String, String> measurement(StudyObservation o) {
        return Map.of("method", o.method(), "ratio", num(o.ratio()), "seed", String.valueOf(o.seed()),
                "d", String.valueOf(o.rftTokens()), "task", o.task(), "metric", o.metric(),
                "value", num(o.value()) + " ± " + num(o.stderr()), "base", num(o.baseValue()), "variant", o.variant());
    }

    static String num(double v) {
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }
}
