package dev.claws.jobs;

import dev.claws.compress.PruningMethod;
import dev.claws.store.JobEntity;
import dev.claws.train.LoraConfig;
import dev.claws.train.RecoverySpec;
import dev.claws.train.TrainingConfig;
import dev.claws.train.TrainingData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A validated compression-law study: the grid methods x ratios x seeds x RFT budgets D on one base model, each cell
 * evaluated on intrinsic corpora and zero-shot tasks and benchmarked, then the law fitted per setting.
 *
 * @param name            the study's name (reports are found by it)
 * @param base            the uncompressed base model
 * @param ratios          compression ratios r in (0, 1), ascending, distinct
 * @param seeds           seeds of the random_prune cells (at least two) and, first one only, of the slicegpt
 *                        calibration order and of recovery fine-tuning
 * @param rftBudgets      D values, ascending and distinct, always starting with 0 (no RFT)
 * @param corpora         intrinsic corpora (cross-entropy)
 * @param tasks           zero-shot multiple-choice tasks
 * @param extrinsicMetric acc or acc_norm: the accuracy the extrinsic law is fitted on
 * @param evaluation      limits of every evaluation (base and cells alike, so their values compare)
 * @param calibration     SliceGPT calibration (null when slicegpt is not among the methods)
 * @param recovery        recovery fine-tuning settings for D > 0 (null when every D is 0)
 * @param benchmark       decode benchmark of each compressed variant against the base
 * @param intrinsicSigma  critical-ratio threshold for loss: at most this multiple of L0^alpha (> 1)
 * @param extrinsicSigma  critical-ratio threshold for accuracy: at least this fraction of L0^alpha (in (0, 1))
 */
public record StudySpec(String name, ModelRef base, List<PruningMethod> methods, List<Double> ratios,
                        List<Long> seeds, List<Long> rftBudgets, List<String> corpora, List<String> tasks,
                        String extrinsicMetric, EvaluationBudget evaluation, CalibrationSpec calibration,
                        RecoveryTemplate recovery, BenchmarkSettings benchmark, double intrinsicSigma,
                        double extrinsicSigma) implements JobSpec {

    public StudySpec {
        methods = List.copyOf(methods);
        ratios = List.copyOf(ratios);
        seeds = List.copyOf(seeds);
        rftBudgets = List.copyOf(rftBudgets);
        corpora = List.copyOf(corpora);
        tasks = List.copyOf(tasks);
    }

    @Override
    public JobEntity.Kind kind() {
        return JobEntity.Kind.STUDY;
    }

    /** The base only: the variants the study makes itself are created (or reused) as it runs. */
    @Override
    public List<ModelRef> inputs() {
        return List.of(base);
    }

    /** Recovery fine-tuning of a cell with D > 0: LoRA settings; warm-up is 10 % of the steps, as SubmitRecovery. */
    public record RecoveryTemplate(TrainingData data, LoraConfig lora, TrainingConfig training) {

        public RecoverySpec spec(long budget, long seed) {
            RecoverySpec probe = new RecoverySpec(data, budget, lora, training, seed);
            return new RecoverySpec(data, budget, lora, training.withWarmup(probe.steps() / 10), seed);
        }

        /** The settings as they enter a step's lineage key. */
        String key() {
            return String.format(Locale.ROOT, "data=%s|rank=%d|alpha=%s|dropout=%s|targets=%s|lr=%s|seq=%d|step=%d",
                    data.id(), lora.rank(), lora.alpha(), lora.dropout(), lora.targets(), training.learningRate(),
                    training.sequenceLength(), training.tokensPerStep());
        }
    }

    /** Decode benchmark settings of each compressed variant (measured interleaved with its base). */
    public record BenchmarkSettings(int promptLength, int generationLength, int repeats, int warmup) {
    }

    /** One cell of the grid: a compressed variant (method, r, seed), recovered with D tokens when D > 0. */
    public record Cell(PruningMethod method, double ratio, long seed, long rftTokens) {

        public String label() {
            return String.format(Locale.ROOT, "%s r=%s seed %d D=%d", method.name().toLowerCase(Locale.ROOT), ratio,
                    seed, rftTokens);
        }
    }

    /** The cells in the order the study runs them: ratio, then method, then seed, then D. */
    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (double r : ratios) {
            for (PruningMethod m : methods) {
                for (long seed : seedsOf(m)) {
                    for (long d : rftBudgets) {
                        cells.add(new Cell(m, r, seed, d));
                    }
                }
            }
        }
        return cells;
    }

    /** random_prune draws its mask from the seed, so it runs every seed; slicegpt is deterministic up to calibration. */
    public List<Long> seedsOf(PruningMethod method) {
        return method == PruningMethod.RANDOM_PRUNE ? seeds : List.of(seeds.get(0));
    }

    /** Every task evaluated, corpora first. */
    public List<String> allTasks() {
        List<String> all = new ArrayList<>(corpora);
        all.addAll(tasks);
        return all;
    }
}
