package dev.claws.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every entity written in one transaction and read back in another, field by field. Run against H2 by
 * {@link StoreRoundTripH2Test} and against PostgreSQL by {@link StoreRoundTripPostgresTest}.
 */
abstract class StoreRoundTripContract {

    @Inject
    VariantRepository variants;
    @Inject
    JobRepository jobs;
    @Inject
    EvalResultRepository evalResults;
    @Inject
    BenchmarkRunRepository benchmarkRuns;
    @Inject
    LawFitRepository lawFits;

    /** Microsecond precision: what both databases keep of a timestamp. */
    private static final Instant WHEN = Instant.parse("2025-04-06T12:34:56.123456Z");

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void variantRoundTrips() {
        String name = unique("qwen-rp");
        QuarkusTransaction.requiringNew().run(() -> {
            VariantEntity v = new VariantEntity();
            v.name = name;
            v.base = "qwen2.5-0.5b";
            v.parent = "qwen2.5-0.5b-rp30";
            v.method = VariantEntity.Method.RANDOM_PRUNE;
            v.ratio = 0.3;
            v.rftTokens = 25_000_000L;
            v.parameterCount = 494_032_768L;
            v.parameterRatio = -0.0461;
            v.sizeBytes = 988_097_824L;
            v.path = "data/variants/" + name;
            v.created = WHEN;
            variants.persist(v);
        });
        VariantEntity read = QuarkusTransaction.requiringNew().call(() -> variants.findByName(name).orElseThrow());
        assertNotNull(read.id);
        assertEquals("qwen2.5-0.5b", read.base);
        assertEquals("qwen2.5-0.5b-rp30", read.parent);
        assertEquals(VariantEntity.Method.RANDOM_PRUNE, read.method);
        assertEquals(0.3, read.ratio);
        assertEquals(25_000_000L, read.rftTokens);
        assertEquals(494_032_768L, read.parameterCount);
        assertEquals(-0.0461, read.parameterRatio);
        assertEquals(988_097_824L, read.sizeBytes);
        assertEquals("data/variants/" + name, read.path);
        assertEquals(WHEN, read.created);
        assertTrue(QuarkusTransaction.requiringNew().call(() -> variants.listByBase("qwen2.5-0.5b"))
                .stream().anyMatch(v -> v.name.equals(name)));
    }

    @Test
    void variantNamesAreUnique() {
        String name = unique("dup");
        QuarkusTransaction.requiringNew().run(() -> variants.persist(baseModel(name)));
        assertThrows(RuntimeException.class,
                () -> QuarkusTransaction.requiringNew().run(() -> variants.persist(baseModel(name))));
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> variants.count("name", name)));
    }

    @Test
    void derivedVariantsAreCounted() {
        String base = unique("base");
        QuarkusTransaction.requiringNew().run(() -> {
            variants.persist(baseModel(base));
            VariantEntity child = baseModel(unique("child"));
            child.base = base;
            child.parent = base;
            child.method = VariantEntity.Method.SLICEGPT;
            child.ratio = 0.5;
            variants.persist(child);
        });
        assertEquals(1L, QuarkusTransaction.requiringNew().call(() -> variants.countDerivedFrom(base)));
    }

    @Test
    void jobRoundTripsAndFilters() {
        String request = "{\"base\":\"qwen\",\"method\":\"COMPRESSION_METHOD_SLICEGPT\",\"ratio\":0.25,"
                + "\"note\":\"" + "x".repeat(20_000) + "\"}";
        long id = QuarkusTransaction.requiringNew().call(() -> {
            JobEntity job = new JobEntity();
            job.kind = JobEntity.Kind.COMPRESSION;
            job.state = JobEntity.State.RUNNING;
            job.progress = 0.42;
            job.stage = "rotating layer 3/24";
            job.message = "PCA of layer 3";
            job.error = null;
            job.requestJson = request;
            job.resultJson = "{\"variants\":[\"qwen-slicegpt-r25\"]}";
            job.created = WHEN;
            job.started = WHEN.plusSeconds(1);
            job.finished = null;
            jobs.persist(job);
            return job.id;
        });
        JobEntity read = QuarkusTransaction.requiringNew().call(() -> jobs.findById(id));
        assertEquals(JobEntity.Kind.COMPRESSION, read.kind);
        assertEquals(JobEntity.State.RUNNING, read.state);
        assertEquals(0.42, read.progress);
        assertEquals("rotating layer 3/24", read.stage);
        assertEquals("PCA of layer 3", read.message);
        assertNull(read.error);
        assertEquals(request, read.requestJson, "20 kB JSON document survives unchanged");
        assertEquals("{\"variants\":[\"qwen-slicegpt-r25\"]}", read.resultJson);
        assertEquals(WHEN, read.created);
        assertEquals(WHEN.plusSeconds(1), read.started);
        assertNull(read.finished);

        List<JobEntity> running = QuarkusTransaction.requiringNew().call(
                () -> jobs.listFiltered(List.of(JobEntity.State.RUNNING), List.of(JobEntity.Kind.COMPRESSION), 1000));
        assertTrue(running.stream().anyMatch(j -> j.id == id));
        List<JobEntity> benchmarks = QuarkusTransaction.requiringNew().call(
                () -> jobs.listFiltered(List.of(), List.of(JobEntity.Kind.BENCHMARK), 1000));
        assertTrue(benchmarks.stream().noneMatch(j -> j.id == id));

        int interrupted = QuarkusTransaction.requiringNew().call(() -> jobs.markUnfinishedInterrupted("server stopped"));
        assertTrue(interrupted >= 1);
        JobEntity after = QuarkusTransaction.requiringNew().call(() -> jobs.findById(id));
        assertEquals(JobEntity.State.INTERRUPTED, after.state);
        assertTrue(after.state.isFinal());
        assertEquals("server stopped", after.error);
        assertNotNull(after.finished);
    }

    @Test
    void evalResultRoundTripsAndIsSelectable() {
        String baseModel = unique("llama");
        long id = QuarkusTransaction.requiringNew().call(() -> {
            EvalResultEntity r = new EvalResultEntity();
            r.jobId = 7L;
            r.variant = baseModel + "-slicegpt-r30";
            r.task = "piqa";
            r.metric = "acc_norm";
            r.value = 0.6789;
            r.stderr = 0.0109;
            r.samples = 1838;
            r.baseModel = baseModel;
            r.method = VariantEntity.Method.SLICEGPT;
            r.ratio = 0.3;
            r.rftTokens = 1_000_000;
            r.created = WHEN;
            evalResults.persist(r);
            return r.id;
        });
        EvalResultEntity read = QuarkusTransaction.requiringNew().call(() -> evalResults.findById(id));
        assertEquals(7L, read.jobId);
        assertEquals(baseModel + "-slicegpt-r30", read.variant);
        assertEquals("piqa", read.task);
        assertEquals("acc_norm", read.metric);
        assertEquals(0.6789, read.value);
        assertEquals(0.0109, read.stderr);
        assertEquals(1838L, read.samples);
        assertEquals(baseModel, read.baseModel);
        assertEquals(VariantEntity.Method.SLICEGPT, read.method);
        assertEquals(0.3, read.ratio);
        assertEquals(1_000_000L, read.rftTokens);
        assertEquals(WHEN, read.created);

        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> evalResults.select(
                List.of(baseModel), List.of(VariantEntity.Method.SLICEGPT), "acc_norm", List.of("piqa"))).size());
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> evalResults.select(
                List.of(baseModel), List.of(VariantEntity.Method.RANDOM_PRUNE), "acc_norm", List.of())).size());
        assertEquals(0, QuarkusTransaction.requiringNew().call(() -> evalResults.select(
                List.of(baseModel), List.of(), "acc", List.of())).size());
        assertEquals(List.of(id), QuarkusTransaction.requiringNew().call(() -> evalResults.listByIds(
                List.of(id, Long.MAX_VALUE))).stream().map(r -> r.id).toList(), "a missing id is left out");
        assertEquals(List.of(), QuarkusTransaction.requiringNew().call(() -> evalResults.listByIds(List.of())));
    }

    @Test
    void benchmarkRunRoundTrips() {
        String variant = unique("bench");
        long id = QuarkusTransaction.requiringNew().call(() -> {
            BenchmarkRunEntity b = new BenchmarkRunEntity();
            b.jobId = 3L;
            b.variant = variant;
            b.base = "qwen2.5-0.5b";
            b.promptLength = 128;
            b.generationLength = 64;
            b.repeats = 5;
            b.prefillMsMedian = 81.5;
            b.prefillMsSpread = 4.25;
            b.decodeMsPerTokenMedian = 23.75;
            b.decodeMsPerTokenSpread = 1.5;
            b.tokensPerSecond = 42.1;
            b.speedup = 1.31;
            b.idealSpeedup = 1.42;
            b.device = "cpu";
            b.created = WHEN;
            benchmarkRuns.persist(b);
            return b.id;
        });
        BenchmarkRunEntity read = QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.findById(id));
        assertEquals(3L, read.jobId);
        assertEquals(variant, read.variant);
        assertEquals("qwen2.5-0.5b", read.base);
        assertEquals(128, read.promptLength);
        assertEquals(64, read.generationLength);
        assertEquals(5, read.repeats);
        assertEquals(81.5, read.prefillMsMedian);
        assertEquals(4.25, read.prefillMsSpread);
        assertEquals(23.75, read.decodeMsPerTokenMedian);
        assertEquals(1.5, read.decodeMsPerTokenSpread);
        assertEquals(42.1, read.tokensPerSecond);
        assertEquals(1.31, read.speedup);
        assertEquals(1.42, read.idealSpeedup);
        assertEquals("cpu", read.device);
        assertEquals(WHEN, read.created);
        assertEquals(1, QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByVariant(variant)).size());
        assertTrue(QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByJob(3L)).stream()
                .anyMatch(r -> r.id == id));
        assertEquals(List.of(id), QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByIds(
                List.of(Long.MAX_VALUE, id))).stream().map(r -> r.id).toList(), "a missing id is left out");
        assertEquals(List.of(), QuarkusTransaction.requiringNew().call(() -> benchmarkRuns.listByIds(List.of())));
    }

    @Test
    void lawFitRoundTrips() {
        String name = unique("extrinsic-fit");
        long id = QuarkusTransaction.requiringNew().call(() -> {
            LawFitEntity f = new LawFitEntity();
            f.name = name;
            f.kind = LawFitEntity.Kind.EXTRINSIC;
            f.metric = "acc";
            f.alpha = 0.98; f.alphaStderr = 0.01; f.alphaCiLow = 0.96; f.alphaCiHigh = 1.0;
            f.beta = -1.03; f.betaStderr = 0.05; f.betaCiLow = -1.13; f.betaCiHigh = -0.93;
            f.gamma = 0.12; f.gammaStderr = 0.02; f.gammaCiLow = 0.08; f.gammaCiHigh = 0.16;
            f.r2Log = 0.991;
            f.r2Linear = 0.987;
            f.nPoints = 40;
            f.pointsJson = "{\"points\":[{\"l\":0.61,\"l0\":0.7,\"r\":0.1,\"d\":0.0}]}";
            f.diagnosticsJson = "{\"residuals\":[0.01],\"residualStandardError\":0.02}";
            f.selectionJson = "{\"metric\":\"acc\"}";
            f.created = WHEN.truncatedTo(ChronoUnit.SECONDS);
            lawFits.persist(f);
            return f.id;
        });
        LawFitEntity read = QuarkusTransaction.requiringNew().call(() -> lawFits.findById(id));
        assertEquals(name, read.name);
        assertEquals(LawFitEntity.Kind.EXTRINSIC, read.kind);
        assertEquals("acc", read.metric);
        assertEquals(List.of(0.98, 0.01, 0.96, 1.0),
                List.of(read.alpha, read.alphaStderr, read.alphaCiLow, read.alphaCiHigh));
        assertEquals(List.of(-1.03, 0.05, -1.13, -0.93),
                List.of(read.beta, read.betaStderr, read.betaCiLow, read.betaCiHigh));
        assertEquals(List.of(0.12, 0.02, 0.08, 0.16),
                List.of(read.gamma, read.gammaStderr, read.gammaCiLow, read.gammaCiHigh));
        assertEquals(0.991, read.r2Log);
        assertEquals(0.987, read.r2Linear);
        assertEquals(40, read.nPoints);
        assertEquals("{\"points\":[{\"l\":0.61,\"l0\":0.7,\"r\":0.1,\"d\":0.0}]}", read.pointsJson);
        assertEquals("{\"residuals\":[0.01],\"residualStandardError\":0.02}", read.diagnosticsJson);
        assertEquals("{\"metric\":\"acc\"}", read.selectionJson);
        assertEquals(WHEN.truncatedTo(ChronoUnit.SECONDS), read.created);
        assertTrue(QuarkusTransaction.requiringNew().call(() -> lawFits.listNewest(LawFitEntity.Kind.EXTRINSIC, 1000))
                .stream().anyMatch(f -> f.id == id));
        assertTrue(QuarkusTransaction.requiringNew().call(() -> lawFits.listNewest(LawFitEntity.Kind.INTRINSIC, 1000))
                .stream().noneMatch(f -> f.id == id));
    }

    static VariantEntity baseModel(String name) {
        VariantEntity v = new VariantEntity();
        v.name = name;
        v.method = VariantEntity.Method.NONE;
        v.path = "models/" + name;
        v.parameterCount = 1000;
        v.sizeBytes = 4000;
        return v;
    }
}
