package dev.claws.train;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java trainer against transformers + peft (src/test/python/make_lora_fixtures.py): same tiny Qwen2 model, same
 * initial A and B, same batches, accumulation, clipping, AdamW and warm-up + cosine schedule; every step's loss and the
 * final adapter weights agree within 1e-4.
 */
class LoraParityTest {

    static final Path FIXTURE = Path.of("src/test/resources/fixtures/lora");
    static final Path MODEL = Path.of("src/test/resources/fixtures/models/qwen2-fp32-tied");
    static final double TOLERANCE = 1e-4;

    @Test
    void trainsAsPeftDoes() throws Exception {
        JsonObject ref = JsonParser.parseString(Files.readString(FIXTURE.resolve("reference.json"))).getAsJsonObject();
        JsonObject s = ref.getAsJsonObject("settings");
        int seq = s.get("sequence_length").getAsInt();
        int rows = s.get("micro_batch_rows").getAsInt();
        int accumulation = s.get("accumulation").getAsInt();
        int steps = s.get("steps").getAsInt();
        TrainingConfig config = new TrainingConfig(seq, rows, seq * rows * accumulation,
                s.get("learning_rate").getAsDouble(), s.get("weight_decay").getAsDouble(), s.get("beta1").getAsDouble(),
                s.get("beta2").getAsDouble(), s.get("eps").getAsDouble(), s.get("warmup_steps").getAsInt(),
                LrSchedule.Decay.valueOf(s.get("decay").getAsString().toUpperCase()),
                s.get("max_grad_norm").getAsDouble());
        LoraConfig lora = PeftAdapterFormat.readConfig(FIXTURE.resolve("initial"));
        assertEquals(s.get("rank").getAsInt(), lora.rank());
        try (DecoderModel model = DecoderModel.load(MODEL, EngineOptions.cpu(2));
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(model, lora, 0, root);
             LoraAdapters expected = LoraAdapters.initialise(model, lora, 0, root)) {
            PeftAdapterFormat.readWeights(FIXTURE.resolve("initial"), adapters);
            PeftAdapterFormat.readWeights(FIXTURE.resolve("final"), expected);
            LoraTrainer trainer = new LoraTrainer(model, adapters, config, steps);
            JsonArray batches = ref.getAsJsonArray("batches");
            for (int k = 0; k < steps; k++) {
                List<long[]> sequences = new ArrayList<>();
                for (var micro : batches.get(k).getAsJsonArray()) {
                    for (var row : micro.getAsJsonArray()) {
                        JsonArray r = row.getAsJsonArray();
                        long[] ids = new long[r.size()];
                        for (int i = 0; i < ids.length; i++) {
                            ids[i] = r.get(i).getAsLong();
                        }
                        sequences.add(ids);
                    }
                }
                StepResult result = trainer.step(sequences);
                double refLoss = ref.getAsJsonArray("loss").get(k).getAsDouble();
                System.out.printf("step %d: loss %.7f (peft %.7f), grad norm %.6f (peft %.6f), lr %.6g%n", k,
                        result.loss(), refLoss, result.gradNorm(),
                        ref.getAsJsonArray("grad_norm").get(k).getAsDouble(), result.learningRate());
                assertEquals(refLoss, result.loss(), TOLERANCE, "loss of step " + k);
                assertEquals(ref.getAsJsonArray("grad_norm").get(k).getAsDouble(), result.gradNorm(), TOLERANCE,
                        "gradient norm of step " + k);
                assertEquals(ref.getAsJsonArray("learning_rate").get(k).getAsDouble(), result.learningRate(), 1e-12);
            }
            double worst = 0;
            double moved = 0;
            for (int site = 0; site < adapters.sites().size(); site++) {
                float[][] got = {adapters.a(site), adapters.b(site)};
                float[][] want = {expected.a(site), expected.b(site)};
                for (int m = 0; m < 2; m++) {
                    for (int i = 0; i < got[m].length; i++) {
                        worst = Math.max(worst, Math.abs(got[m][i] - want[m][i]));
                    }
                }
            }
            try (LoraAdapters initial = LoraAdapters.initialise(model, lora, 0, root)) {
                PeftAdapterFormat.readWeights(FIXTURE.resolve("initial"), initial);
                for (int site = 0; site < adapters.sites().size(); site++) {
                    float[] a0 = initial.a(site);
                    float[] a1 = expected.a(site);
                    for (int i = 0; i < a0.length; i++) {
                        moved = Math.max(moved, Math.abs(a1[i] - a0[i]));
                    }
                }
            }
            System.out.printf("final adapters: max |java - peft| = %.3g over %d sites (training moved A by up to %.3g)%n",
                    worst, adapters.sites().size(), moved);
            assertTrue(moved > 100 * TOLERANCE, "the reference run must move the weights for the check to mean much");
            assertTrue(worst <= TOLERANCE, "final adapter weights differ from peft's by " + worst);
        }
    }
}
