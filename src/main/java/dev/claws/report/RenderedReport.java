package dev.claws.report;

import java.util.List;

/**
 * A rendered study report: the HTML page (figures embedded) and the same figures as files.
 *
 * @param html    the self-contained page, UTF-8 text
 * @param figures every figure the page shows, in page order
 */
public record RenderedReport(String html, List<Figure> figures) {

    public RenderedReport {
        figures = List.copyOf(figures);
    }

    /**
     * One figure.
     *
     * @param name        file name, e.g. "loss-random_prune.png"
     * @param contentType "image/png"
     */
    public record Figure(String name, String contentType, byte[] data, String caption) {
    }
}
