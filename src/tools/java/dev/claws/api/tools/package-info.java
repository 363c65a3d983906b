/**
 * Tools that talk to the whole server (not part of it): the serving memory benchmark, which starts the packaged server,
 * and WriteStudyReport, which writes a finished study's report (HTML page and PNG figures) from GetStudyReport.
 *
 * <p>May import: any server package; no server package imports the tools.
 */
package dev.claws.api.tools;
