package dev.claws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.api.v1.CancelJobRequest;
import dev.claws.api.v1.GenerateRequest;
import dev.claws.api.v1.InferenceGrpc;
import dev.claws.api.v1.Job;
import dev.claws.api.v1.JobState;
import dev.claws.api.v1.JobsGrpc;
import dev.claws.api.v1.ListVariantsRequest;
import dev.claws.api.v1.LoadVariantRequest;
import dev.claws.api.v1.UnloadVariantRequest;
import dev.claws.api.v1.LoraOptions;
import dev.claws.api.v1.SubmitRecoveryRequest;
import dev.claws.api.v1.VariantsGrpc;
import dev.claws.api.v1.WatchJobRequest;
import dev.claws.jobs.JobFixtures;
import dev.claws.jobs.JobJson;
import dev.claws.jobs.JobPaths;
import dev.claws.jobs.JobRunner;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.store.JobRepository;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import dev.claws.train.PeftAdapterFormat;
import dev.claws.train.TrainingData;
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
import dev.claws.store.JobEntity;
import dev.claws.api.v1.Variant;

/**
 * Recovery fine-tuning jobs on the bundled tiny model: the merged variant is registered with rft_tokens = D and its
 * parent, serves Generate and lists with its D; bad input is rejected naming the field; a cancelled or interrupted job
 * leaves no partial variant; a job left queued by a stopped server runs after restart.
 */
@QuarkusTest
class RecoveryJobTest {

    @Inject
    VariantRepository variants;

    @Inject
    JobRepository jobRows;

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
        writeAlpaca(paths.evalDataDir());
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        GrpcTestChannel.close(channel);
    }

    private static LoraOptions tinyOptions() {
        return LoraOptions.newBuilder().setRank(4).setSequenceLength(16).setBatchSize(2).setLearningRate(1e-3).build();
    }

    private Optional<VariantEntity> row(String name) {
        return QuarkusTransaction.requiringNew().call(() -> variants.findByName(name));
    }

    private List<Path> partials() throws Exception {
        try (Stream<Path> list = Files.list(paths.variantsDir())) {
            return list.filter(p -> p.getFileName().toString().startsWith(".partial-")).toList();
        }
    }

    @Test
    void recoveryRegistersAMergedVariantThatServesAndListsItsD() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String pruned = JobFixtures.storeHalfFfnVariant(variants, base);
        Job submitted = jobs.submitRecovery(SubmitRecoveryRequest.newBuilder().setVariant(pruned).setTokenBudget(100)
                .setLora(tinyOptions()).setSeed(5).build());
        List<Job> events = new ArrayList<>();
        jobs.watchJob(WatchJobRequest.newBuilder().setId(submitted.getId()).build())
                .forEachRemaining(e -> events.add(e.getJob()));
        Job done = events.get(events.size() - 1);
        assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getError());
        assertTrue(events.stream().anyMatch(j -> j.getStage().equals("training")
                && j.getMessage().matches("\\d+ of 96 tokens, smoothed loss \\d+\\.\\d+, \\d+\\.\\d tokens/s")),
                "WatchJob streams tokens of D, smoothed loss and tokens/s");
        String name = pruned + "-rft100";
        assertEquals(List.of(name), done.getResult().getVariantsList());
        VariantEntity v = row(name).orElseThrow();
        assertEquals(96, v.rftTokens, "D as consumed: 100 rounded down to whole steps of 2 x 16 tokens");
        assertEquals(pruned, v.parent);
        assertEquals(base, v.base);
        VariantEntity parent = row(pruned).orElseThrow();
        assertEquals(parent.method, v.method);
        assertEquals(parent.ratio, v.ratio);
        Path dir = paths.variantDir(name);
        assertEquals(dir.toString(), v.path);
        assertTrue(Files.isRegularFile(dir.resolve("adapter").resolve(PeftAdapterFormat.WEIGHTS)));
        assertTrue(partials().isEmpty(), "no staging directory left");
        try (DecoderModel merged = DecoderModel.load(dir, EngineOptions.cpu());
             DecoderModel before = DecoderModel.load(Path.of(parent.path), EngineOptions.cpu())) {
            float[] a = merged.logits(new long[] {3, 4, 5})[2];
            float[] b = before.logits(new long[] {3, 4, 5})[2];
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 1e-4, "training changed the merged weights (max logit change " + diff + ")");
        }
        Variant listed = VariantsGrpc.newBlockingStub(channel).listVariants(
                ListVariantsRequest.getDefaultInstance()).getVariantsList().stream()
                .filter(x -> x.getName().equals(name)).findFirst().orElseThrow();
        assertEquals(96, listed.getRftTokens());
        VariantsGrpc.VariantsBlockingStub variantsApi = VariantsGrpc.newBlockingStub(channel);
        variantsApi.loadVariant(LoadVariantRequest.newBuilder().setName(name).build());
        try {
            var generated = InferenceGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder()
                    .setVariant(name).setPrompt("hello").setMaxNewTokens(3).build());
            assertTrue(generated.getTiming().getGeneratedTokens() > 0, generated.toString());
        } finally {
            variantsApi.unloadVariant(UnloadVariantRequest.newBuilder().setName(name).build());
        }
    }

    @Test
    void badRecoveryRequestsAreRejectedNamingTheField() {
        String base = JobFixtures.storeBase(variants);
        Function<SubmitRecoveryRequest.Builder, Status> submit = b -> assertThrows(StatusRuntimeException.class,
                () -> jobs.submitRecovery(b.build())).getStatus();
        SubmitRecoveryRequest.Builder good = SubmitRecoveryRequest.newBuilder().setVariant(base).setTokenBudget(64)
                .setLora(tinyOptions());
        assertEquals(Status.Code.NOT_FOUND, submit.apply(good.clone().setVariant("no-such-variant")).getCode());
        String[][] cases = {
            {"dataset", "c4"}, {"token_budget", "0"}, {"token_budget", "31"}, {"lora.rank", "300"},
            {"lora.alpha", "-1"}, {"lora.dropout", "0.95"}, {"lora.learning_rate", "2"}, {"lora.sequence_length", "8"},
            {"lora.batch_size", "1000"}, {"lora.targets", "embed"},
        };
        for (String[] c : cases) {
            SubmitRecoveryRequest.Builder b = good.clone();
            LoraOptions.Builder o = tinyOptions().toBuilder();
            switch (c[0]) {
                case "dataset" -> b.setDataset(c[1]);
                case "token_budget" -> b.setTokenBudget(Long.parseLong(c[1]));
                case "lora.rank" -> o.setRank(Integer.parseInt(c[1]));
                case "lora.alpha" -> o.setAlpha(Float.parseFloat(c[1]));
                case "lora.dropout" -> o.setDropout(Float.parseFloat(c[1]));
                case "lora.learning_rate" -> o.setLearningRate(Double.parseDouble(c[1]));
                case "lora.sequence_length" -> o.setSequenceLength(Integer.parseInt(c[1]));
                case "lora.batch_size" -> o.setBatchSize(Integer.parseInt(c[1]));
                default -> o.addTargets(c[1]);
            }
            Status s = submit.apply(b.setLora(o));
            assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), c[0]);
            assertTrue(s.getDescription().startsWith(c[0]), s.getDescription());
        }
        Status s = submit.apply(good.clone().setName(base));
        assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
        assertTrue(s.getDescription().contains("is taken"), s.getDescription());
    }

    @Test
    void cancellingARunningRecoveryLeavesNoVariant() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String name = JobFixtures.unique("rft-cancelled");
        Job submitted = jobs.submitRecovery(SubmitRecoveryRequest.newBuilder().setVariant(base).setName(name)
                .setTokenBudget(60_000).setLora(tinyOptions()).build());
        JobFixtures.awaitStage(runner, submitted.getId(), "training", 120_000);
        assertTrue(Files.isDirectory(paths.partialDir(submitted.getId())));

        Job cancelled = jobs.cancelJob(CancelJobRequest.newBuilder().setId(submitted.getId()).build());

        assertEquals(JobState.JOB_STATE_CANCELLED, cancelled.getState());
        assertFalse(Files.exists(paths.partialDir(submitted.getId())));
        assertFalse(Files.exists(paths.variantDir(name)));
        assertTrue(row(name).isEmpty());
    }

    @Test
    void aRecoveryLeftRunningIsInterruptedAndOneLeftQueuedRunsAfterRestart() throws Exception {
        String base = JobFixtures.storeBase(variants);
        String name = JobFixtures.unique("rft-restarted");
        SubmitRecoveryRequest request = SubmitRecoveryRequest.newBuilder().setVariant(base).setName(name)
                .setTokenBudget(64).setLora(tinyOptions()).build();
        long running = storeRow(JobEntity.State.RUNNING, request.toBuilder().setName(name + "-old").build());
        Path partial = paths.partialDir(running);
        Files.createDirectories(partial.resolve("checkpoint"));
        Files.writeString(partial.resolve("checkpoint").resolve("model.safetensors"), "half-written");
        long queued = storeRow(JobEntity.State.QUEUED, request);

        runner.recover();

        assertEquals(JobEntity.State.INTERRUPTED, stored(running).state);
        assertFalse(Files.exists(partial), "the interrupted job's partial output is removed");
        assertTrue(row(name + "-old").isEmpty());
        JobEntity done = JobFixtures.awaitFinal(runner, queued, 120_000);
        assertEquals(JobEntity.State.SUCCEEDED, done.state, done.error);
        assertEquals(64, row(name).orElseThrow().rftTokens);
    }

    /** A row as a stopped server leaves it: the request as submitted and the spec validated from it. */
    private long storeRow(JobEntity.State state, SubmitRecoveryRequest request) {
        return QuarkusTransaction.requiringNew().call(() -> {
            String spec = JobJson.spec(JobValidation.recovery(request, variants, paths));
            JobEntity row = new JobEntity();
            row.kind = JobEntity.Kind.RECOVERY;
            row.state = state;
            row.stage = state == JobEntity.State.RUNNING ? "training" : "queued";
            row.requestJson = StoreMapping.toJson(request);
            row.specJson = spec;
            jobRows.persist(row);
            return row.id;
        });
    }

    private JobEntity stored(long id) {
        return QuarkusTransaction.requiringNew().call(() -> jobRows.findById(id));
    }

    /** Alpaca-format training data (alpaca_data.json) in the test data directory. */
    static void writeAlpaca(Path dataDir) throws Exception {
        Path file = TrainingData.ALPACA.file(dataDir);
        if (!Files.exists(file)) {
            JobFixtures.writeAlpaca(file, 3000);
        }
    }
}
