package dev.claws.jobs;

import dev.claws.model.io.FileTrees;
import static org.junit.jupiter.api.Assertions.fail;

import dev.claws.model.ModelConfig;
import dev.claws.model.io.DType;
import dev.claws.model.tools.SyntheticCheckpoint;
import dev.claws.store.JobEntity;
import dev.claws.store.VariantEntity;
import dev.claws.store.VariantRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.UUID;

/** Stored variants and waits shared by the job tests. */
public final class JobFixtures {

    public static final Path TINY = Path.of("models/claws-tiny");
    /** A checkpoint shaped like claws-tiny with half of every layer's FFN neurons (random weights), built once. */
    private static final Path HALF_FFN = Path.of("target/test-data/fixtures/claws-tiny-half-ffn");

    private JobFixtures() {
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Stores a base-model row for claws-tiny under a fresh name. */
    public static String storeBase(VariantRepository variants) {
        return store(variants, unique("tiny"), null, VariantEntity.Method.NONE, 0, TINY);
    }

    /** Stores a variant of {@code base} whose checkpoint has half the FFN width of claws-tiny. */
    public static String storeHalfFfnVariant(VariantRepository variants, String base) throws IOException {
        synchronized (JobFixtures.class) {
            if (!Files.isRegularFile(HALF_FFN.resolve("model.safetensors"))) {
                ModelConfig tiny = ModelConfig.load(TINY);
                Path tmp = HALF_FFN.resolveSibling(HALF_FFN.getFileName() + ".tmp");
                FileTrees.deleteQuietly(tmp);
                Files.createDirectories(tmp.getParent());
                SyntheticCheckpoint.write(tmp, tiny.withIntermediateSizes(Collections.nCopies(
                        tiny.numHiddenLayers(), tiny.intermediateSize(0) / 2)), DType.F32, 0.02, 11, 0,
                        TINY.resolve("tokenizer.json"));
                Files.move(tmp, HALF_FFN);
            }
        }
        return store(variants, unique("tiny-half"), base, VariantEntity.Method.RANDOM_PRUNE, 0.5, HALF_FFN);
    }

    public static String store(VariantRepository variants, String name, String base, VariantEntity.Method method,
                               double ratio, Path path) {
        QuarkusTransaction.requiringNew().run(() -> {
            VariantEntity v = new VariantEntity();
            v.name = name;
            v.base = base;
            v.parent = base;
            v.method = method;
            v.ratio = ratio;
            v.parameterCount = ModelConfig.load(path).parameterCount();
            v.path = path.toString();
            variants.persist(v);
        });
        return name;
    }

    /** Waits until the job reaches a final state and returns it. */
    public static JobEntity awaitFinal(JobRunner runner, long id, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            JobEntity job = runner.find(id).orElseThrow();
            if (job.state.isFinal()) {
                return job;
            }
            Thread.sleep(20);
        }
        fail("job " + id + " did not finish within " + timeoutMs + " ms: " + runner.find(id).map(j -> j.state + " "
                + j.stage + " " + j.message).orElse("?"));
        return null;
    }

    /** Waits until the job runs and has reported progress in the given stage. */
    public static void awaitStage(JobRunner runner, long id, String stage, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            JobEntity job = runner.find(id).orElseThrow();
            if (job.state == JobEntity.State.RUNNING && stage.equals(job.stage)) {
                return;
            }
            if (job.state.isFinal()) {
                fail("job " + id + " ended (" + job.state + ", " + job.error + ") before stage '" + stage + "'");
            }
            Thread.sleep(10);
        }
        fail("job " + id + " did not reach stage '" + stage + "' within " + timeoutMs + " ms");
    }

    /**
     * Evaluation data for job tests under {@code dir}, in the layout claws.eval.data-dir has: WikiText-2 rows of the
     * cross-entropy parity fixture joined as the raw file joins them, and the piqa and arc_easy task fixtures in their
     * published layout.
     */
    public static void writeEvalData(Path dir) throws IOException {
        Path fixtures = Path.of("src/test/resources/fixtures/eval");
        com.fasterxml.jackson.databind.JsonNode fixture = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(fixtures.resolve("cross_entropy.json").toFile());
        java.util.List<String> records = new java.util.ArrayList<>();
        fixture.get("records").forEach(r -> records.add(r.textValue()));
        Path wiki = EvalTasks.dataFile("wikitext2", dir);
        Files.createDirectories(wiki.getParent());
        Files.writeString(wiki, String.join("\n\n", records), StandardCharsets.UTF_8);
        for (String task : java.util.List.of("piqa", "arc_easy")) {
            Path file = EvalTasks.dataFile(task, dir);
            Files.createDirectories(file.getParent());
            Files.copy(fixtures.resolve("tasks").resolve(task + ".jsonl"), file,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Writes {@code count} Alpaca-format records (instruction, input, output; every other input empty) to {@code file}
     * in the published JSON layout: enough text for a training run or a calibration pass that takes a while.
     */
    public static void writeAlpaca(Path file, int count) throws IOException {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"instruction\": \"Describe item ").append(i)
                    .append(" of the list in one sentence.\", \"input\": \"").append(i % 2 == 0 ? "" : "a box")
                    .append("\", \"output\": \"Item ").append(i)
                    .append(" is a small wooden box that holds letters, seeds and a few old coins.\"}");
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, json.append("]").toString(), StandardCharsets.UTF_8);
    }
}
