package dev.claws.api;

import dev.claws.model.io.FileTrees;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CalibrationOptions;
import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.CompressionMethod;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.SubmitCompressionRequest;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.compress.CompressionOutcome;
import dev.claws.compress.CompressionSpec;
import dev.claws.compress.Compressor;
import dev.claws.jobs.CalibrationSpec;
import dev.claws.jobs.CompressionWork;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobPaths;
import dev.claws.jobs.JobRunner;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.ModelConfig;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import dev.claws.api.v1.CompressionResult;
import dev.claws.eval.Corpus;
import dev.claws.model.GenerationSettings;
import dev.claws.api.v1.GetVariantRequest;
import dev.claws.compress.PruningMethod;
import dev.claws.api.v1.SliceGptPca;
import dev.claws.api.v1.Variant;
import dev.claws.api.v1.VariantsGrpc;

/** Compression jobs on the bundled tiny model: the stored variant is what the compressor writes, and nothing else. */
@QuarkusTest
class CompressionJobTest {

    @Inject
    VariantRepository variants;

    @Inject
    JobPaths paths;

    @Inject
    JobRunner runner;

    private ManagedChannel channel;
    private JobsGrpc.JobsBlockingStub jobs;

    @BeforeEach
    void connect() throws Exception {
        channel = GrpcTestChannel.open();
        jobs = JobsGrpc.newBlockingStub(channel);
        EvaluationJobTest.writeData(paths.evalDataDir());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private Job runToEnd(SubmitCompressionRequest request) {
        Job submitted = jobs.submitCompression(request);
        assertEquals(JobState.JOB_STATE_QUEUED, submitted.getState());
        List<Job> events = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build())
                .forEachRemaining(e -> events.add(e.getJob()));
        return events.get(events.size() - 1);
    }

    private static void assertCompressionResult(Job job, String name, double requested, double achieved,
                                                long parameters, long baseParameters) {
        assertEquals(1, job.getResult().getCompressionsCount());
        CompressionResult c = job.getResult().getCompressions(0);
        assertEquals(name, c.getVariant());
        assertEquals(requested, c.getRequestedRatio());
        assertEquals(achieved, c.getParameterRatio(), 1e-12);
        assertEquals(parameters, c.getParameterCount());
        assertEquals(baseParameters, c.getBaseParameterCount());
    }

    private Optional<VariantEntity> row(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name));
    }

    private List<Path> partials() throws Exception {
        if (!Files.isDirectory(paths.variantsDir())) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(paths.variantsDir())) {
            return list.filter(p -> p.getFileName().toString().startsWith(".partial-")).toList();
        }
    }

    @Test
    void randomPruneJobRegistersTheCheckpointTheCompressorWrites() throws Exception {
        String base = JobFixtures.storeBase(variants);
        Job job = runToEnd(SubmitCompressionRequest.newBuilder().setBase(base)
                .setMethod(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE).setRatio(0.5).setSeed(3).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState(), job.getError());
        String name = base + "-random_prune-r50-s3";
        assertEquals(name, job.getCompression().getName(), "the default name is stored with the request");
        assertEquals(List.of(name), job.getResult().getVariantsList());
        assertTrue(job.getMessage().startsWith(name + ": "),
                "a finished job keeps the work's last message, not an earlier progress line: " + job.getMessage());

        VariantEntity v = row(name).orElseThrow();
        Path dir = paths.variantDir(name);
        assertEquals(dir.toString(), v.path);
        assertEquals(base, v.base);
        assertEquals(base, v.parent);
        assertEquals(VariantEntity.Method.RANDOM_PRUNE, v.method);
        assertEquals(0.5, v.ratio);
        assertEquals(ModelConfig.load(dir).parameterCount(), v.parameterCount);
        long baseParameters = ModelConfig.load(JobFixtures.TINY).parameterCount();
        assertTrue(v.parameterCount < baseParameters);
        // half the FFN neurons is less than half the parameters: reported next to the request, with a note
        double achieved = 1 - (double) v.parameterCount / baseParameters;
        assertTrue(achieved > 0 && achieved < 0.5, "achieved " + achieved);
        assertEquals(achieved, v.parameterRatio, 1e-12);
        assertCompressionResult(job, name, 0.5, achieved, v.parameterCount, baseParameters);
        assertEquals(1, job.getResult().getNotesCount());
        assertFalse(job.getResult().getNotes(0).contains("MORE parameters"), job.getResult().getNotes(0));
        assertEquals(FileTrees.size(dir), v.sizeBytes);
        assertTrue(partials().isEmpty(), "no staging directory left");

        // the same compression run directly writes the same weights
        Path direct = Files.createTempDirectory("claws-direct").resolve("out");
        try {
            CompressionOutcome expected = Compressor.compress(JobFixtures.TINY, direct,
                    new CompressionSpec(PruningMethod.RANDOM_PRUNE, 0.5, 3, false), List.of(),
                    EngineOptions.cpu(), null);
            assertEquals(expected.parameterCount(), v.parameterCount);
            assertArrayEquals(Files.readAllBytes(direct.resolve("model.safetensors")),
                    Files.readAllBytes(dir.resolve("model.safetensors")));
        } finally {
            FileTrees.deleteQuietly(direct.getParent());
        }
        try (DecoderModel model = DecoderModel.load(dir, EngineOptions.cpu())) {
            assertEquals(v.parameterCount, model.config().parameterCount());
            assertEquals(3, model.generate(new long[] {5, 6, 7}, GenerationSettings.greedy(3)
                    .withStopTokenIds(List.of())).tokenIds().length);
        }
    }

    @Test
    void sliceGptJobCalibratesOnTheCorpusAndRegistersALoadableVariant() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String name = JobFixtures.unique("sliced");
        Job job = runToEnd(SubmitCompressionRequest.newBuilder().setBase(base)
                .setMethod(CompressionMethod.COMPRESSION_METHOD_SLICEGPT).setRatio(0.25).setName(name)
                .setCalibration(CalibrationOptions.newBuilder().setDataset("wikitext2").setSamples(6)
                        .setSequenceLength(32)).build());
        assertEquals(JobState.JOB_STATE_SUCCEEDED, job.getState(), job.getError());
        VariantEntity v = row(name).orElseThrow();
        assertEquals(VariantEntity.Method.SLICEGPT, v.method);
        assertEquals(0.25, v.ratio);
        Path dir = paths.variantDir(name);
        ModelConfig config = ModelConfig.load(dir);
        assertNotNull(config.sliceGpt(), "config.json describes the sliced layout");
        assertEquals(config.parameterCount(), v.parameterCount);
        assertTrue(config.sliceGpt().embeddingSize() < config.hiddenSize(), "the hidden width was sliced");
        // claws-tiny sliced at r = 0.25 has more parameters than its base (untied full-width head, shortcut
        // matrices): the job and the variant say so, next to the requested ratio
        long baseParameters = ModelConfig.load(JobFixtures.TINY).parameterCount();
        double achieved = 1 - (double) v.parameterCount / baseParameters;
        assertTrue(achieved < 0, v.parameterCount + " parameters vs the base's " + baseParameters);
        assertEquals(achieved, v.parameterRatio, 1e-12);
        assertCompressionResult(job, name, 0.25, achieved, v.parameterCount, baseParameters);
        String note = job.getResult().getNotes(0);
        assertTrue(note.startsWith(String.format(java.util.Locale.ROOT, "achieved parameter compression %.4f is below "
                + "the requested ratio 0.2500", achieved)), note);
        assertTrue(note.contains("MORE parameters than its base"), note);
        Variant served = VariantsGrpc.newBlockingStub(channel).getVariant(
                GetVariantRequest.newBuilder().setName(name).build());
        assertEquals(0.25, served.getRatio());
        assertTrue(served.hasParameterRatio());
        assertEquals(achieved, served.getParameterRatio(), 1e-12);

        // the same calibration set and compression run directly give the same model
        List<long[]> calibration = CompressionWork.calibration(new CalibrationSpec(Corpus.WIKITEXT2, 6,
                32), JobFixtures.TINY, 0, paths.evalDataDir());
        Path direct = Files.createTempDirectory("claws-direct").resolve("out");
        try (DecoderModel model = DecoderModel.load(dir, EngineOptions.cpu())) {
            CompressionOutcome expected = Compressor.compress(JobFixtures.TINY, direct,
                    CompressionSpec.sliceGpt(0.25), calibration, EngineOptions.cpu(), null);
            assertEquals(expected.parameterCount(), v.parameterCount);
            try (DecoderModel reference = DecoderModel.load(direct, EngineOptions.cpu())) {
                long[] ids = {11, 12, 13, 14};
                float[][] got = model.logits(ids);
                float[][] want = reference.logits(ids);
                for (int t = 0; t < ids.length; t++) {
                    assertArrayEquals(want[t], got[t], 1e-5f);
                }
            }
        } finally {
            FileTrees.deleteQuietly(direct.getParent());
        }
        assertTrue(partials().isEmpty());
    }

    @Test
    void badCompressionRequestsAreRejectedAtSubmission() {
        String base = JobFixtures.storeBase(variants);
        Function<SubmitCompressionRequest.Builder, Status> submit = b -> assertThrows(StatusRuntimeException.class,
                () -> jobs.submitCompression(b.build())).getStatus();
        SubmitCompressionRequest.Builder good = SubmitCompressionRequest.newBuilder().setBase(base)
                .setMethod(CompressionMethod.COMPRESSION_METHOD_RANDOM_PRUNE).setRatio(0.3);
        for (double ratio : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            Status s = submit.apply(good.clone().setRatio(ratio));
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
            assertTrue(s.getDescription().startsWith("ratio must be strictly between 0 and 1"), s.getDescription());
        }
        assertEquals(Status.Code.NOT_FOUND, submit.apply(good.clone().setBase("no-such-base")).getCode());
        Status s = submit.apply(good.clone().setMethod(CompressionMethod.COMPRESSION_METHOD_UNSPECIFIED));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("method must be COMPRESSION_METHOD_RANDOM_PRUNE or"));
        assertEquals(Status.Code.INVALID_ARGUMENT,
                submit.apply(good.clone().setMethod(CompressionMethod.COMPRESSION_METHOD_NONE)).getCode());
        s = submit.apply(good.clone().setName(base));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("is taken"), s.getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT, submit.apply(good.clone().setName("bad/name")).getCode());
        SubmitCompressionRequest.Builder slice = good.clone().setMethod(CompressionMethod.COMPRESSION_METHOD_SLICEGPT);
        assertEquals(Status.Code.INVALID_ARGUMENT, submit.apply(slice.clone().setPruneAttentionHeads(true)).getCode());
        s = submit.apply(good.clone().setSlicegptPca(SliceGptPca.SLICEGPT_PCA_SINGLE_PASS));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().startsWith("slicegpt_pca is only allowed with COMPRESSION_METHOD_SLICEGPT"),
                s.getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT, submit.apply(slice.clone().setSlicegptPcaValue(7)).getCode());
        s = submit.apply(slice.clone().setCalibration(CalibrationOptions.newBuilder().setDataset("c4")));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("[wikitext2, ptb, alpaca]"), s.getDescription());
        assertEquals(Status.Code.INVALID_ARGUMENT,
                submit.apply(slice.clone().setCalibration(CalibrationOptions.newBuilder().setSamples(5000))).getCode());
        assertEquals(Status.Code.INVALID_ARGUMENT, submit.apply(slice.clone().setCalibration(
                CalibrationOptions.newBuilder().setSequenceLength(8))).getCode());
        // the test data directory holds no PTB file
        assertEquals(Status.Code.FAILED_PRECONDITION, submit.apply(slice.clone().setCalibration(
                CalibrationOptions.newBuilder().setDataset("ptb"))).getCode());
    }

    @Test
    void aFailingCompressionLeavesNoDirectoryAndNoVariant() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String name = JobFixtures.unique("too-little-data");
        // valid request, but the test corpus is far smaller than 4096 sequences of 2048 tokens
        Job job = runToEnd(SubmitCompressionRequest.newBuilder().setBase(base).setName(name)
                .setMethod(CompressionMethod.COMPRESSION_METHOD_SLICEGPT).setRatio(0.2)
                .setCalibration(CalibrationOptions.newBuilder().setSamples(4096).setSequenceLength(2048)).build());
        assertEquals(JobState.JOB_STATE_FAILED, job.getState());
        assertTrue(job.getError().contains("fewer than the 4096 samples asked for"), job.getError());
        assertFalse(Files.exists(paths.variantDir(name)));
        assertTrue(row(name).isEmpty());
        assertTrue(partials().isEmpty());
    }

    @Test
    void cancellingARunningCompressionRemovesItsPartialOutput() throws Exception {
        String base = JobFixtures.storeBase(variants);
        // an Alpaca corpus large enough for a calibration pass that takes a while on the tiny model
        JobFixtures.writeAlpaca(Corpus.ALPACA.file(paths.evalDataDir()), 3000);
        String name = JobFixtures.unique("cancelled");
        Job submitted = jobs.submitCompression(SubmitCompressionRequest.newBuilder().setBase(base).setName(name)
                .setMethod(CompressionMethod.COMPRESSION_METHOD_SLICEGPT).setRatio(0.5)
                .setCalibration(CalibrationOptions.newBuilder().setDataset("alpaca").setSamples(1000)
                        .setSequenceLength(64)).build());
        JobFixtures.awaitStage(runner, submitted.getId(), "calibrate", 60_000);
        assertTrue(Files.isDirectory(paths.variantsDir().resolve(".partial-" + submitted.getId())),
                "the compressor writes into the staging directory");

        Job cancelled = jobs.cancelJob(CancelJobRequest.newBuilder().setId(submitted.getId()).build());

        assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
        assertFalse(Files.exists(paths.variantsDir().resolve(".partial-" + submitted.getId())));
        assertFalse(Files.exists(paths.variantDir(name)));
        assertTrue(row(name).isEmpty());
    }
}
