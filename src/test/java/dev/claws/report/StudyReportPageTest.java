package dev.claws.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.law.SettingFit;
import dev.claws.law.SpeedObservation;
import dev.claws.law.StudyAnalysis;
import dev.claws.law.StudyObservation;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The report page's structure: every section, one row per setting, every figure embedded and readable as a PNG. */
class StudyReportPageTest {

    /** Measurements of two methods (random_prune with two seeds), one corpus and one task, D in {0, 2048}. */
    static StudyAnalysis analysis() {
        List<StudyObservation> obs = new ArrayList<>();
        List<SpeedObservation> speeds = new ArrayList<>();
        for (String method : List.of("random_prune", "slicegpt")) {
            for (long seed : method.equals("slicegpt") ? new long[] {1} : new long[] {1, 2}) {
                for (double r : new double[] {0.1, 0.3, 0.5, 0.7}) {
                    for (long d : new long[] {0, 2048}) {
                        String v = String.format(Locale.ROOT, "%s-r%.0f-s%d-rft%d<x>", method, 100 * r, seed, d);
                        double loss = 3.6 * (1 + 0.6 * r + 1.5 * r * r) * (d > 0 ? 0.9 : 1) + 0.01 * seed;
                        double acc = 0.62 * (1 - 0.5 * r) * (d > 0 ? 1.05 : 1) + 0.003 * seed;
                        obs.add(new StudyObservation(method, r, seed, d, "wikitext2", "cross_entropy", true, loss,
                                0.05, 3.6, v));
                        obs.add(new StudyObservation(method, r, seed, d, "piqa", "acc", false, acc, 0.02, 0.62, v));
                    }
                    speeds.add(new SpeedObservation(method, r, seed, method + r + seed, 1 + r * 0.8 + 0.01 * seed,
                            1 / (1 - 0.6 * r), 60 / (1 + r), 2, 60));
                }
            }
        }
        return StudyAnalysis.analyze(obs, speeds, "acc", 1.2, 0.8);
    }

    @Test
    void pageHasEverySectionAndEveryFigure() throws Exception {
        StudyAnalysis a = analysis();
        RenderedReport report = StudyReportPage.render("demo <study>", "base-model", 7, a);
        String html = report.html();
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        for (String id : List.of("title", "findings-table", "coefficient-table", "figures", "held-out-table",
                "shape-table", "recovery-table", "speed-table", "measurement-table")) {
            assertTrue(html.contains("id=\"" + id + "\""), "section " + id);
        }
        // text is escaped, never markup
        assertTrue(html.contains("demo &lt;study&gt;"));
        assertFalse(html.contains("<study>"));
        assertFalse(html.contains("<x>"));
        assertEquals(8, count(html, "<tr class=\"setting\">"));
        for (SettingFit s : a.settings()) {
            assertTrue(html.contains(s.label()), s.label());
        }
        for (String finding : PublishedFindings.LINES) {
            assertTrue(html.contains(finding.replace("^", "^")), finding);
        }

        // loss and accuracy per method, recovery, speedup
        List<String> names = report.figures().stream().map(RenderedReport.Figure::name).toList();
        assertEquals(List.of("loss-vs-ratio-random_prune.png", "loss-vs-ratio-slicegpt.png",
                "accuracy-vs-ratio-random_prune.png", "accuracy-vs-ratio-slicegpt.png", "rft-recovery-vs-d.png",
                "speedup-vs-ratio.png"), names);
        Matcher img = Pattern.compile("<figure class=\"figure\" data-file=\"([^\"]+)\">\\s*<img src=\"data:image/png;"
                + "base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        List<String> embedded = new ArrayList<>();
        while (img.find()) {
            RenderedReport.Figure figure = report.figures().get(embedded.size());
            assertEquals(figure.name(), img.group(1));
            byte[] data = Base64.getDecoder().decode(img.group(2));
            assertArrayEquals(figure.data(), data);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(data));
            assertEquals(StudyFigures.WIDTH, image.getWidth());
            assertEquals(StudyFigures.HEIGHT, image.getHeight());
            embedded.add(img.group(1));
        }
        assertEquals(names, embedded);
    }

    @Test
    void aStudyWithoutRftSaysSoInsteadOfDrawingNothing() {
        StudyAnalysis a = analysis();
        List<StudyObservation> noRft = a.observations().stream().filter(o -> o.rftTokens() == 0).toList();
        StudyAnalysis without = StudyAnalysis.analyze(noRft, a.speeds(), "acc", 1.2, 0.8);
        RenderedReport report = StudyReportPage.render("no-rft", "base", 8, without);
        assertEquals(4, count(report.html(), "<tr class=\"setting\">"));
        assertTrue(report.html().contains("id=\"recovery-none\""));
        assertEquals(6, report.figures().size());
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
