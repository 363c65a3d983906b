package dev.claws.train.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.claws.model.DecodeProfiler;
import dev.claws.model.DecoderModel;
import dev.claws.model.EngineOptions;
import dev.claws.model.tools.CommandLine;
import dev.claws.train.LoraAdapters;
import dev.claws.train.LoraConfig;
import dev.claws.train.LoraTarget;
import dev.claws.train.LoraTrainer;
import dev.claws.train.LrSchedule;
import dev.claws.train.StepResult;
import dev.claws.train.TrainingConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * LoRA training throughput of claws on one checkpoint: {@code --steps} timed optimizer steps (after
 * {@code --warmup-steps} untimed ones) of {@code --rows} sequences of {@code --seq} tokens (token i = (i * 7919 + 13)
 * mod vocab, as src/test/python/bench_lora_training.py feeds transformers + peft), rank 8, alpha 16, no dropout, all
 * projections, AdamW, clipping at 1. Prints one JSON line {"step_seconds": [...]} for the comparison script, which
 * runs it next to transformers + peft and prints the ratio. Each step's phases (forward, LM head + loss, backward,
 * update) go to stderr; {@code --trace FILE} profiles one more step with PyTorch's profiler and prints its top ATen
 * ops:
 * <pre>
 * python src/test/python/bench_lora_training.py --model /tmp/smollm2 --seq 256 --rows 1 --steps 2 --rounds 3 --threads 1
 * </pre>
 */
public final class LoraTrainingBenchmark {

    private LoraTrainingBenchmark() {
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(args, Set.of());
        Path model = Path.of(cl.require("model"));
        int seq = cl.getInt("seq", 256);
        int rows = cl.getInt("rows", 1);
        int steps = cl.getInt("steps", 3);
        int warmup = cl.getInt("warmup-steps", 1);
        try (DecoderModel m = DecoderModel.load(model, EngineOptions.cpu(cl.getInt("threads", 2)));
             NDManager root = NDManager.newBaseManager("PyTorch");
             LoraAdapters adapters = LoraAdapters.initialise(m, new LoraConfig(8, 16, 0,
                     EnumSet.allOf(LoraTarget.class)), 0, root)) {
            TrainingConfig config = new TrainingConfig(seq, rows, seq * rows, 1e-4, 0, 0.9, 0.999, 1e-8, 0,
                    LrSchedule.Decay.LINEAR, 1.0);
            LoraTrainer trainer = new LoraTrainer(m, adapters, config, warmup + steps);
            int vocab = m.config().vocabSize();
            List<long[]> batch = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                long[] ids = new long[seq];
                for (int i = 0; i < seq; i++) {
                    ids[i] = ((long) (r * seq + i) * 7919 + 13) % vocab;
                }
                batch.add(ids);
            }
            double[] seconds = new double[steps];
            for (int k = 0; k < warmup + steps; k++) {
                long start = System.nanoTime();
                StepResult.Phases p = trainer.step(batch).seconds();
                if (k >= warmup) {
                    seconds[k - warmup] = (System.nanoTime() - start) / 1e9;
                }
                System.err.printf(Locale.ROOT, "claws: step %d %.2f s: forward %.2f, head + loss %.2f, backward %.2f, "
                        + "update %.3f%n", k, (System.nanoTime() - start) / 1e9, p.forward(), p.head(), p.backward(),
                        p.update());
            }
            if (cl.has("trace")) {
                // one more step under PyTorch's profiler: where its time goes, by ATen op
                Path trace = Path.of(cl.require("trace"));
                JniUtils.startProfile(false, false, false);
                long start = System.nanoTime();
                trainer.step(batch);
                double wall = (System.nanoTime() - start) / 1e3;
                JniUtils.stopProfile(trace.toString());
                DecodeProfiler.Trace t = DecodeProfiler.Trace.read(trace, 1);
                System.err.printf(Locale.ROOT, "claws: profiled step %.2f s, %.0f top-level ATen calls taking %.2f s%n",
                        wall / 1e6, t.topLevel(), t.topLevelMillis() / 1e3);
                for (DecodeProfiler.OpStat op : t.ops().subList(0, Math.min(20, t.ops().size()))) {
                    System.err.printf(Locale.ROOT, "  %-40s %7.0f calls %9.1f ms self%n", op.name(),
                            op.callsPerStep(), op.selfMillisPerStep());
                }
            }
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            System.err.printf(Locale.ROOT, "claws: median %.2f s per step of %d tokens, %.1f tokens/s%n",
                    sorted[steps / 2], seq * rows, seq * rows / sorted[steps / 2]);
            StringBuilder json = new StringBuilder("{\"step_seconds\": [");
            for (int k = 0; k < steps; k++) {
                json.append(k == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", seconds[k]));
            }
            System.out.println(json.append("]}"));
        }
    }
}
