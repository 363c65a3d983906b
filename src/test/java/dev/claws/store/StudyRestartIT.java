package dev.claws.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.EvaluationLimits;
import dev.claws.api.v1.GetStudyReportRequest;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobEvent;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.StudyBenchmarkOptions;
import dev.claws.api.v1.StudyReport;
import dev.claws.api.v1.SubmitStudyRequest;
import dev.claws.api.v1.Variant;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.jobs.JobFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study interrupted by kill -9 of the packaged server in the middle of a cell resumes by itself when the server
 * starts again, and finishes without recomputing the steps that had finished: their variants are the same rows, the
 * resumed run counts them as reused, and no staging directory of the interrupted step is left behind.
 */
class StudyRestartIT {

    private static final Pattern STEPS = Pattern.compile("(\\d+) step\\(s\\) run, (\\d+) reused");

    @TempDir
    Path work;

    @Test
    void studyKilledMidCellResumesWithoutRedoingFinishedCells() throws Exception {
        Path eval = work.resolve("eval");
        JobFixtures.writeEvalData(eval);
        Path log = work.resolve("server.log");
        Map<String, String> properties = Map.of("claws.data-dir", work.resolve("data").toString(),
                "claws.eval.data-dir", eval.toString());
        SubmitStudyRequest request = SubmitStudyRequest.newBuilder().setName("restart").setBase("claws-tiny")
                .addMethods(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE)
                .addRatios(0.3).addRatios(0.6)
                .addCorpora("wikitext2").addTasks("piqa")
                .setLimits(EvaluationLimits.newBuilder().setWindowLength(32).setTokenBudget(96).setMaxSamplesPerTask(6))
                .setBenchmark(StudyBenchmarkOptions.newBuilder().setPromptLength(4).setGenerationLength(300)
                        .setRepeats(6))
                .build();
        long id;
        Map<String, Variant> finishedBefore;
        try (PackagedServer server = PackagedServer.start(PackagedServer.APP, log, properties)) {
            JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(server.channel);
            id = jobs.submitStudy(request).getId();
            // follow the study until cells 1 and 2 are done and cell 3 is benchmarked; what has finished by then is
            // durable once H2 has written the commits it holds in memory for up to half a second (WRITE_DELAY), so
            // wait a little longer, then kill the server in whatever cell it is running by then
            Iterator<JobEvent> events = jobs.watchJob(WatchJobRequest.newBuilder().setId(id).build());
            while (true) {
                Job job = events.next().getJob();
                assertFalse(job.getState() == JobState.JOB_STATE_SUCCEEDED, "the study ended before it was killed");
                if (job.getStage().startsWith("cell 3 of 4 (") && job.getStage().endsWith("measuring")) {
                    break;
                }
            }
            finishedBefore = studyVariants(server);
            Thread.sleep(1500);
            Job running = jobs.getJob(dev.claws.api.v1.GetJobRequest.newBuilder().setId(id).build());
            server.kill();
            assertEquals(JobState.JOB_STATE_RUNNING, running.getState());
            assertTrue(running.getStage().startsWith("cell "), "killed mid-cell: " + running.getStage());
        }
        // cells 1 and 2 (seeds 1 and 2 at r = 0.3) and cell 3's compression had finished
        assertEquals(3, finishedBefore.size(), finishedBefore.keySet().toString());

        try (PackagedServer server = PackagedServer.start(PackagedServer.APP, log, properties)) {
            JobsGrpc.JobsBlockingStub jobs = JobsGrpc.newBlockingStub(server.channel);
            // the start-up sweep queues the study again; a watch that comes before it sees the stored row once
            Job done = null;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(240);
            while (System.nanoTime() < deadline) {
                List<Job> events = new ArrayList<>();
                jobs.watchJob(WatchJobRequest.newBuilder().setId(id).build())
                        .forEachRemaining(e -> events.add(e.getJob()));
                done = events.get(events.size() - 1);
                if (done.getState() != JobState.JOB_STATE_RUNNING && done.getState() != JobState.JOB_STATE_QUEUED) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getError());

            // 2 base evaluations + 4 cells x (compression, 2 evaluations, benchmark); what had finished is reused:
            // at least the base, cells 1 and 2, cell 3's compression and evaluations
            Matcher steps = STEPS.matcher(done.getMessage());
            assertTrue(steps.find(), done.getMessage());
            int run = Integer.parseInt(steps.group(1));
            int reused = Integer.parseInt(steps.group(2));
            assertEquals(18, run + reused);
            assertTrue(reused >= 2 + 2 * 4 + 3, done.getMessage());

            // the variants made before the kill are the same rows; the study's variants are 4, none made twice
            Map<String, Variant> after = studyVariants(server);
            assertEquals(4, after.size(), after.keySet().toString());
            finishedBefore.forEach((name, variant) -> {
                assertEquals(variant.getCreated(), after.get(name).getCreated(), name);
                assertEquals(variant.getPath(), after.get(name).getPath(), name);
            });
            assertTrue(after.keySet().stream().noneMatch(n -> n.contains("-j")), after.keySet().toString());
            try (Stream<Path> left = Files.list(work.resolve("data").resolve("variants"))) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".partial-")).toList());
            }
            StudyReport report = jobs.getStudyReport(GetStudyReportRequest.newBuilder().setJobId(id)
                    .setNumbersOnly(true).build());
            assertEquals(4 * 3, report.getMeasurementsCount());
            assertEquals(4, report.getSpeedsCount());
        }
    }

    private static Map<String, Variant> studyVariants(PackagedServer server) {
        return VariantsGrpc.newBlockingStub(server.channel).listVariants(ListVariantsRequest.getDefaultInstance())
                .getVariantsList().stream().filter(v -> v.getName().startsWith("claws-tiny-random_prune-"))
                .collect(Collectors.toMap(Variant::getName, v -> v));
    }
}
