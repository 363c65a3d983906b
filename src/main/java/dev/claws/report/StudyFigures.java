package dev.claws.report;

import dev.claws.law.FittedLaw;
import dev.claws.law.RecoveryFraction;
import dev.claws.law.SettingFit;
import dev.claws.law.RatioShapeCheck;
import dev.claws.law.ShapeResult;
import dev.claws.law.SpeedObservation;
import dev.claws.law.StudyAnalysis;
import dev.claws.law.StudyObservation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The study report's figures, drawn with JFreeChart into PNG bytes (headless):
 * <ul>
 *   <li>per kind (loss, accuracy) and method: the measured values against r (every seed, D = 0) with, per task, the
 *       fitted law {@code L0^alpha (1+r)^beta} and the shape check's linear and quadratic fits drawn over them;</li>
 *   <li>RFT recovery fraction against D;</li>
 *   <li>measured and ideal decode speedup against r.</li>
 * </ul>
 */
final class StudyFigures {

    static final int WIDTH = 760;
    static final int HEIGHT = 480;
    private static final Paint[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};
    private static final int CURVE_POINTS = 60;

    private StudyFigures() {
    }

    static List<RenderedReport.Figure> all(StudyAnalysis a) {
        List<RenderedReport.Figure> figures = new ArrayList<>();
        Set<String> methods = new LinkedHashSet<>();
        a.observations().forEach(o -> methods.add(o.method()));
        for (boolean intrinsic : new boolean[] {true, false}) {
            for (String method : methods) {
                String metric = intrinsic ? StudyAnalysis.INTRINSIC_METRIC : a.extrinsicMetric();
                List<StudyObservation> own = a.observations().stream().filter(o -> o.intrinsic() == intrinsic
                        && o.method().equals(method) && o.metric().equals(metric) && o.rftTokens() == 0).toList();
                if (own.isEmpty()) {
                    continue;
                }
                figures.add(versusRatio(a, intrinsic, method, metric, own));
            }
        }
        figures.add(recovery(a));
        figures.add(speedup(a));
        return figures;
    }

    private static RenderedReport.Figure versusRatio(StudyAnalysis a, boolean intrinsic, String method, String metric,
                                                     List<StudyObservation> own) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        FittedLaw law = a.setting(intrinsic, method, false).map(SettingFit::fit).orElse(null);
        Set<String> tasks = new LinkedHashSet<>(own.stream().map(StudyObservation::task).toList());
        int color = 0;
        double maxRatio = own.stream().mapToDouble(StudyObservation::ratio).max().orElse(0.9);
        for (String task : tasks) {
            Paint paint = PALETTE[color++ % PALETTE.length];
            List<StudyObservation> points = own.stream().filter(o -> o.task().equals(task)).toList();
            double base = points.get(0).baseValue();
            XYSeries measured = new XYSeries(task + " measured (every seed)", false, true);
            measured.add(0, base);
            points.forEach(o -> measured.add(o.ratio(), o.value()));
            style(renderer, add(data, measured), paint, false, true, null);
            if (law != null) {
                XYSeries curve = new XYSeries(task + " law L0^a (1+r)^b", false, true);
                for (int i = 0; i <= CURVE_POINTS; i++) {
                    double r = maxRatio * i / CURVE_POINTS;
                    curve.add(r, Math.exp(law.alpha().estimate() * Math.log(base)
                            + law.beta().estimate() * Math.log1p(r)));
                }
                style(renderer, add(data, curve), paint, true, false, null);
            }
            RatioShapeCheck shape = a.shapes().stream().filter(s -> s.intrinsic() == intrinsic && s.method().equals(method)
                    && s.rftTokens() == 0 && s.task().equals(task) && s.check() != null)
                    .map(ShapeResult::check).findFirst().orElse(null);
            if (shape != null) {
                XYSeries linear = new XYSeries(task + " linear fit", false, true);
                XYSeries quadratic = new XYSeries(task + " quadratic fit", false, true);
                for (int i = 0; i <= CURVE_POINTS; i++) {
                    double r = maxRatio * i / CURVE_POINTS;
                    linear.add(r, shape.linear().coefficient(0) + shape.linear().coefficient(1) * r);
                    quadratic.add(r, shape.quadratic().coefficient(0) + shape.quadratic().coefficient(1) * r
                            + shape.quadratic().coefficient(2) * r * r);
                }
                style(renderer, add(data, linear), paint, true, false, new float[] {2f, 4f});
                style(renderer, add(data, quadratic), paint, true, false, new float[] {8f, 4f});
            }
        }
        String what = intrinsic ? "test cross-entropy (nats/token)" : a.extrinsicMetric() + " (zero-shot)";
        String title = (intrinsic ? "Loss" : "Accuracy") + " vs compression ratio: " + method;
        JFreeChart chart = chart(title, "compression ratio r", what, data, renderer, false);
        if (law != null) {
            chart.addSubtitle(new TextTitle(String.format(java.util.Locale.ROOT,
                    "law without RFT: alpha = %.3f, beta = %.3f, R² (log, centred) = %.3f, n = %d",
                    law.alpha().estimate(), law.beta().estimate(), law.rSquaredLog(), law.n())));
        }
        String name = (intrinsic ? "loss" : "accuracy") + "-vs-ratio-" + method + ".png";
        String caption = title + ": points are the measured cells (D = 0, every seed) and the base at r = 0; solid "
                + "lines the fitted law, dotted the linear fit, dashed the quadratic fit of each " + (intrinsic
                ? "corpus" : "task") + ".";
        return new RenderedReport.Figure(name, "image/png", png(chart), caption);
    }

    private static RenderedReport.Figure recovery(StudyAnalysis a) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        Map<String, List<RecoveryFraction>> groups = new LinkedHashMap<>();
        for (RecoveryFraction r : a.recoveries()) {
            if (r.fraction() != null) {
                groups.computeIfAbsent(String.format(java.util.Locale.ROOT, "%s %s r=%s", r.intrinsic() ? "loss"
                        : "accuracy", r.method(), r.ratio()), k -> new ArrayList<>()).add(r);
            }
        }
        int color = 0;
        for (Map.Entry<String, List<RecoveryFraction>> g : groups.entrySet()) {
            XYSeries s = new XYSeries(g.getKey() + " (mean over seeds and tasks)", true, false);
            Map<Long, double[]> sums = new LinkedHashMap<>();
            for (RecoveryFraction r : g.getValue()) {
                double[] acc = sums.computeIfAbsent(r.rftTokens(), k -> new double[2]);
                acc[0] += r.fraction();
                acc[1]++;
            }
            sums.forEach((d, acc) -> s.add((double) d, acc[0] / acc[1]));
            style(renderer, add(data, s), PALETTE[color++ % PALETTE.length], true, true, null);
        }
        JFreeChart chart = chart("RFT recovery vs D", "RFT tokens D", "share of the damage recovered", data,
                renderer, !groups.isEmpty());
        if (groups.isEmpty()) {
            chart.addSubtitle(new TextTitle("no cell of this study has D > 0: nothing to recover"));
        } else {
            chart.addSubtitle(new TextTitle("paper: up to " + Math.round(100 * PublishedFindings.MAX_RECOVERY)
                    + "% of the test loss"));
        }
        return new RenderedReport.Figure("rft-recovery-vs-d.png", "image/png", png(chart),
                "Recovered share of the compression damage against the RFT budget D, per method and ratio.");
    }

    private static RenderedReport.Figure speedup(StudyAnalysis a) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        Set<String> methods = new LinkedHashSet<>(a.speeds().stream().map(SpeedObservation::method).toList());
        int color = 0;
        for (String method : methods) {
            Paint paint = PALETTE[color++ % PALETTE.length];
            XYSeries measured = new XYSeries(method + " measured (every seed)", false, true);
            XYSeries ideal = new XYSeries(method + " ideal (parameter ratio)", true, false);
            Map<Double, Double> idealByRatio = new LinkedHashMap<>();
            for (SpeedObservation s : a.speeds()) {
                if (s.method().equals(method)) {
                    measured.add(s.ratio(), s.speedup());
                    idealByRatio.put(s.ratio(), s.idealSpeedup());
                }
            }
            new TreeSet<>(idealByRatio.keySet()).forEach(r -> ideal.add(r.doubleValue(), idealByRatio.get(r)));
            style(renderer, add(data, measured), paint, false, true, null);
            style(renderer, add(data, ideal), paint, true, false, new float[] {6f, 4f});
        }
        JFreeChart chart = chart("Decode speedup vs compression ratio", "compression ratio r",
                "speedup over the base (x)", data, renderer, false);
        chart.addSubtitle(new TextTitle("measured: base decode ms/token / variant's (medians, interleaved runs);"
                + " ideal: base parameters / variant's"));
        return new RenderedReport.Figure("speedup-vs-ratio.png", "image/png", png(chart),
                "Measured decode speedup (points) and the ideal speedup from the parameter count (dashed) against r.");
    }

    private static int add(XYSeriesCollection data, XYSeries series) {
        data.addSeries(series);
        return data.getSeriesCount() - 1;
    }

    private static void style(XYLineAndShapeRenderer renderer, int series, Paint paint, boolean lines, boolean shapes,
                              float[] dash) {
        renderer.setSeriesPaint(series, paint);
        renderer.setSeriesLinesVisible(series, lines);
        renderer.setSeriesShapesVisible(series, shapes);
        renderer.setSeriesStroke(series, dash == null ? new BasicStroke(1.6f)
                : new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
    }

    private static JFreeChart chart(String title, String x, String y, XYSeriesCollection data,
                                    XYLineAndShapeRenderer renderer, boolean logX) {
        NumberAxis xAxis = logX ? new LogarithmicAxis(x) : new NumberAxis(x);
        NumberAxis yAxis = new NumberAxis(y);
        yAxis.setAutoRangeIncludesZero(false);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static byte[] png(JFreeChart chart) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw " + chart.getTitle().getText(), e);
        }
        return out.toByteArray();
    }
}
