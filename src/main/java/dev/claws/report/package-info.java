/**
 * The report of a compression-law study: {@link dev.claws.report.StudyReportPage} renders a study's analysis
 * ({@link dev.claws.law.StudyAnalysis}) as one self-contained HTML page (Jinjava template
 * {@code report/study-report.html}, figures embedded as data: URIs) plus the figures as PNG files, drawn with JFreeChart
 * by {@link dev.claws.report.StudyFigures}. Used by api (GetStudyReport).
 *
 * <p>May import: law only. Never api, jobs or serve.
 */
package dev.claws.report;
