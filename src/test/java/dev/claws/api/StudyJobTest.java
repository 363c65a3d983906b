package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CalibrationOptions;
import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.EvalResult;
import dev.claws.api.v1.EvaluationLimits;
import dev.claws.api.v1.GetLawFitRequest;
import dev.claws.api.v1.GetStudyReportRequest;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.LawKind;
import dev.claws.api.v1.LawsGrpc;
import dev.claws.api.v1.LoraOptions;
import dev.claws.api.v1.StudyBenchmarkOptions;
import dev.claws.api.v1.StudyFigure;
import dev.claws.api.v1.StudyMeasurement;
import dev.claws.api.v1.StudyReport;
import dev.claws.api.v1.StudySetting;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobPaths;
import dev.claws.law.LawFitter;
import dev.claws.law.FitForm;
import dev.claws.law.MeasuredPoint;
import dev.claws.store.StudyStepRepository;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import dev.claws.jobs.JobJson;
import dev.claws.jobs.JobSpec;
import dev.claws.jobs.StudySpec;
import dev.claws.store.JobEntity;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compression-law study end to end on the bundled tiny model: a 2-method x 3-ratio x 2-seed x 2-D grid is
 * compressed, recovered, evaluated and benchmarked; the stored measurements are the evaluation rows; each setting's
 * fit is LawFitter's on those measurements and is stored as a law fit; the report page and figures come back; a second
 * submission reuses every step; bad input is INVALID_ARGUMENT naming the field.
 */
@QuarkusTest
class StudyJobTest {

    @Inject
    VariantRepository variants;

    @Inject
    StudyStepRepository steps;

    @Inject
    JobPaths paths;

    private ManagedChannel channel;
    private JobsGrpc.JobsBlockingStub jobs;

    @BeforeEach
    void connect() throws Exception {
        channel = GrpcTestChannel.open();
        jobs = JobsGrpc.newBlockingStub(channel);
        EvaluationJobTest.writeData(paths.evalDataDir());
        RecoveryJobTest.writeAlpaca(paths.evalDataDir());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    /** A tiny grid on a fresh base: random_prune (seeds 1, 2) and slicegpt at r = 0.25, 0.5, 0.75, D in {0, 64}. */
    static SubmitStudyRequest.Builder tinyStudy(String name, String base) {
        return SubmitStudyRequest.newBuilder().setName(name).setBase(base)
                .addMethods(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE)
                .addMethods(CompressionMethod.COMPRESSION_METHOD_SLICEGPT)
                .addRatios(0.25).addRatios(0.5).addRatios(0.75).addRftBudgets(64)
                .addCorpora("wikitext2").addTasks("piqa")
                .setLimits(EvaluationLimits.newBuilder().setWindowLength(32).setTokenBudget(96).setMaxSamplesPerTask(6))
                .setCalibration(CalibrationOptions.newBuilder().setDataset("wikitext2").setSamples(2)
                        .setSequenceLength(32))
                .setLora(LoraOptions.newBuilder().setSequenceLength(32).setBatchSize(2).setLearningRate(1e-3))
                .setBenchmark(StudyBenchmarkOptions.newBuilder().setPromptLength(4).setGenerationLength(2)
                        .setRepeats(1));
    }

    private List<Job> runToEnd(SubmitStudyRequest request) {
        Job submitted = jobs.submitStudy(request);
        List<Job> events = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build())
                .forEachRemaining(e -> events.add(e.getJob()));
        Job last = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, last.getState(), last.getError());
        return events;
    }

    /** The validated study is stored as job.spec_json and read back when it starts (also after a restart). */
    @Test
    void theValidatedStudyReadsBackFromItsStoredJsonUnchanged() {
        String base = JobFixtures.storeBase(variants);
        StudySpec spec = QuarkusTransaction.requiringNew().call(() -> StudyValidation.study(
                tinyStudy(JobFixtures.unique("study"), base).build(), variants, paths));
        JobSpec read = JobJson.spec(JobJson.spec(spec));
        assertEquals(spec, read);
        assertEquals(JobEntity.Kind.STUDY, read.kind());
        assertEquals(spec.cells(), ((StudySpec) read).cells());
    }

    @Test
    void tinyStudyRunsEveryCellFitsEverySettingAndReportsIt() {
        String base = JobFixtures.storeBase(variants);
        String name = JobFixtures.unique("study");
        List<Job> events = runToEnd(tinyStudy(name, base).build());
        Job done = events.get(events.size() - 1);

        // progress per cell and overall: 18 cells (3 x 2 x 2 random_prune + 3 x 2 slicegpt), fractions never go back
        assertTrue(events.stream().anyMatch(e -> e.getStage().startsWith("cell 18 of 18 (")), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.getMessage().startsWith("17 of 18 cells done")));
        for (int i = 1; i < events.size(); i++) {
            // (one part's end and the next part's start may differ in the last bit of the double)
            assertTrue(events.get(i).getProgress() >= events.get(i - 1).getProgress() - 1e-12, events.get(i - 1).getStage()
                    + " " + events.get(i - 1).getProgress() + " then " + events.get(i).getStage() + " "
                    + events.get(i).getProgress());
        }
        assertEquals(1.0, done.getProgress());
        // 9 compressions, 9 recoveries, 19 x 2 evaluations (2 tasks; base too), 9 benchmarks
        assertTrue(done.getMessage().endsWith("65 step(s) run, 0 reused"), done.getMessage());
        assertEquals(18, done.getResult().getVariantsCount());

        StudyReport report = jobs.getStudyReport(GetStudyReportRequest.newBuilder().setJobId(done.getId()).build());
        assertEquals(name, report.getName());
        assertEquals(base, report.getBase());
        // every cell: cross_entropy on wikitext2, acc and acc_norm on piqa, each equal to its stored evaluation row
        assertEquals(18 * 3, report.getMeasurementsCount());
        Map<String, EvalResult> rows = done.getResult().getEvaluationsList().stream()
                .collect(Collectors.toMap(r -> r.getVariant() + "/" + r.getTask() + "/" + r.getMetric(), r -> r));
        for (StudyMeasurement m : report.getMeasurementsList()) {
            EvalResult row = rows.get(m.getVariant() + "/" + m.getTask() + "/" + m.getMetric());
            assertEquals(row.getValue(), m.getValue());
            assertEquals(m.getRatio(), row.getRatio());
            assertEquals(m.getRftTokens(), row.getRftTokens());
        }
        // 2 kinds x 2 methods x without / with RFT; each fit is LawFitter's on the setting's cells, stored as a law fit
        assertEquals(8, report.getSettingsCount());
        for (StudySetting s : report.getSettingsList()) {
            List<MeasuredPoint> points = report.getMeasurementsList().stream()
                    .filter(m -> m.getMethod() == s.getMethod() && m.getMetric().equals(s.getMetric())
                            && (s.getWithRft() || m.getRftTokens() == 0) && m.getValue() > 0)
                    .map(m -> new MeasuredPoint(m.getValue(), m.getBaseValue(), m.getRatio(), m.getRftTokens())).toList();
            long dropped = report.getMeasurementsList().stream().filter(m -> m.getMethod() == s.getMethod()
                    && m.getMetric().equals(s.getMetric()) && (s.getWithRft() || m.getRftTokens() == 0)
                    && m.getValue() <= 0).count();
            assertEquals(dropped, s.getDroppedCount());
            assertEquals(s.getKind() == LawKind.LAW_KIND_INTRINSIC ? "cross_entropy" : "acc", s.getMetric());
            FitForm form = s.getWithRft() ? FitForm.FULL : FitForm.WITHOUT_RFT;
            dev.claws.law.FittedLaw expected;
            try {
                expected = LawFitter.fit(points, form);
            } catch (dev.claws.law.LawInputException e) {
                // the random-weight tiny model can score the same accuracy everywhere: the setting says why
                assertFalse(s.hasFit());
                assertEquals(e.getMessage(), s.getError());
                assertTrue(s.getKind() == LawKind.LAW_KIND_EXTRINSIC, e.getMessage());
                continue;
            }
            assertTrue(s.hasFit(), s.getError());
            assertEquals(expected.beta().estimate(), s.getFit().getBeta().getEstimate(), 1e-9);
            assertEquals(expected.alpha().lower95(), s.getFit().getAlpha().getCiLow(), 1e-9);
            assertEquals(points.size(), s.getFit().getNPoints());
            assertEquals(s.getFit(), LawsGrpc.newBlockingStub(channel)
                    .getLawFit(GetLawFitRequest.newBuilder().setId(s.getFit().getId()).build()));
            assertEquals(3, s.getHeldOutCount());
        }
        // slicegpt without RFT has 3 cells: leaving a ratio out keeps 2 points, too few for 2 coefficients + 1;
        // random_prune has two seeds, so 4 points remain and the held-out ratio is predicted
        StudySetting slice = setting(report, CompressionMethod.COMPRESSION_METHOD_SLICEGPT, false);
        assertFalse(slice.getHeldOut(0).hasMeanAbsRelativeError());
        assertTrue(slice.getHeldOut(0).getError().contains("need at least 3 points"), slice.getHeldOut(0).getError());
        StudySetting random = setting(report, CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE, false);
        assertTrue(random.getHeldOut(0).hasMeanAbsRelativeError(), random.getHeldOut(0).getError());
        assertTrue(random.hasHeldOutMeanAbsRelativeError());
        // shape checks per method, D and task; speeds for the 9 compressed cells; recovery for the 9 recovered cells
        assertEquals(2 * 2 * 2, report.getShapesCount());
        assertEquals(9, report.getSpeedsCount());
        report.getSpeedsList().forEach(s -> assertTrue(s.getSpeedup() > 0 && s.getIdealSpeedup() > 0));
        assertEquals(9 * 2, report.getRecoveriesCount());
        // the page embeds every figure it returns
        assertEquals(6, report.getFiguresCount());
        for (StudyFigure f : report.getFiguresList()) {
            assertEquals("image/png", f.getContentType());
            assertTrue(report.getHtml().contains("data-file=\"" + f.getName() + "\""), f.getName());
            assertTrue(report.getHtml().contains(Base64.getEncoder().encodeToString(f.getData().toByteArray())));
        }
        assertEquals(report.getHtml(), jobs.getStudyReport(GetStudyReportRequest.newBuilder().setName(name).build())
                .getHtml());
        // the command writes the same page and figures to files
        java.nio.file.Path out = java.nio.file.Path.of("target/test-data").resolve(JobFixtures.unique("report"));
        String port = System.getProperty("quarkus.grpc.server.test-port", org.eclipse.microprofile.config
                .ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", String.class));
        try {
            dev.claws.api.tools.WriteStudyReport.main(new String[] {"--server", "localhost:" + port, "--job",
                    String.valueOf(done.getId()), "--out", out.toString()});
            assertEquals(report.getHtml(), java.nio.file.Files.readString(out.resolve("index.html")));
            for (StudyFigure f : report.getFiguresList()) {
                assertArrayEquals(f.getData().toByteArray(), java.nio.file.Files.readAllBytes(out.resolve(f.getName())));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }

        // submitted again: every step is found by its lineage, nothing is recomputed, the same variants are used
        long stepRows = QuarkusTransaction.requiringNew().call(() -> steps.count());
        List<Job> again = runToEnd(tinyStudy(name, base).build());
        Job second = again.get(again.size() - 1);
        assertTrue(second.getMessage().endsWith("0 step(s) run, 65 reused"), second.getMessage());
        assertEquals(done.getResult().getVariantsList(), second.getResult().getVariantsList());
        assertEquals(stepRows, QuarkusTransaction.requiringNew().call(() -> steps.count()));
        StudyReport secondReport = jobs.getStudyReport(GetStudyReportRequest.newBuilder().setJobId(second.getId())
                .setNumbersOnly(true).build());
        assertEquals(report.getMeasurementsList(), secondReport.getMeasurementsList());
        assertTrue(secondReport.getHtml().isEmpty());
        assertEquals(0, secondReport.getFiguresCount());
    }

    private static StudySetting setting(StudyReport report, CompressionMethod method, boolean withRft) {
        return report.getSettingsList().stream().filter(s -> s.getKind() == LawKind.LAW_KIND_INTRINSIC
                && s.getMethod() == method && s.getWithRft() == withRft).findFirst().orElseThrow();
    }

    @Test
    void badStudiesAreRefusedNamingTheField() {
        String base = JobFixtures.storeBase(variants);
        Map<String, UnaryOperator<SubmitStudyRequest.Builder>> cases = Map.of(
                "name", b -> b.setName("no spaces"),
                "methods", b -> b.clearMethods(),
                "methods[2]", b -> b.addMethods(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE),
                "ratios[3]", b -> b.addRatios(1.0),
                "seeds", b -> b.addSeeds(7),
                "corpora[0]", b -> b.clearCorpora().addCorpora("piqa"),
                "rft_budgets[0]", b -> b.clearRftBudgets().addRftBudgets(10),
                "limits.window_length", b -> b.setLimits(EvaluationLimits.newBuilder().setWindowLength(4)),
                "extrinsic_metric", b -> b.setExtrinsicMetric("f1"),
                "extrinsic_sigma", b -> b.setExtrinsicSigma(1.5));
        for (Map.Entry<String, UnaryOperator<SubmitStudyRequest.Builder>> c : cases.entrySet()) {
            SubmitStudyRequest request = c.getValue().apply(tinyStudy("bad", base)).build();
            StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                    () -> jobs.submitStudy(request), c.getKey());
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), c.getKey());
            assertTrue(e.getStatus().getDescription().startsWith(c.getKey()), c.getKey() + ": "
                    + e.getStatus().getDescription());
        }
        String derived = JobFixtures.store(variants, JobFixtures.unique("pruned"), base,
                dev.claws.store.VariantEntity.Method.RANDOM_PRUNE, 0.5, JobFixtures.TINY);
        StatusRuntimeException notBase = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> jobs.submitStudy(tinyStudy("bad", derived).build()));
        assertTrue(notBase.getStatus().getDescription().startsWith("base '" + derived + "' is derived"));
        assertEquals(Status.Code.NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> jobs.submitStudy(tinyStudy("bad", "no-such-model").build())).getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> jobs.getStudyReport(GetStudyReportRequest.newBuilder().setName("never-ran").build()))
                .getStatus().getCode());
        assertArrayEquals(new Object[] {Status.Code.INVALID_ARGUMENT}, new Object[] {org.junit.jupiter.api.Assertions
                .assertThrows(StatusRuntimeException.class, () -> jobs.getStudyReport(
                        GetStudyReportRequest.getDefaultInstance())).getStatus().getCode()});
    }
}
