package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.CheckpointTensors;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Merges LoRA adapters into a checkpoint: every targeted weight becomes W + (alpha / rank) * B A (peft's merge), all
 * other tensors are copied; written as a new float32 Hugging Face checkpoint directory with the source's config.json,
 * tokenizer and other non-weight files. Shapes come from the checkpoint itself, so base models, RandomPruneNet variants
 * (per-layer FFN widths) and SliceGPT variants (sliced inputs, shortcut matrices copied as they are) merge alike.
 * Atomic: the directory appears complete or not at all.
 */
public final class LoraMerge {

    private LoraMerge() {
    }

    public static void write(Path source, LoraAdapters adapters, Path target) {
        Map<String, Integer> sites = new HashMap<>();
        for (int s = 0; s < adapters.sites().size(); s++) {
            LoraAdapters.Site site = adapters.sites().get(s);
            sites.put(site.target().modulePath(site.layer()) + ".weight", s);
        }
        LoraConfig config = adapters.config();
        float scale = (float) config.scaling();
        Map<String, Path> extra = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(source)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                String name = f.getFileName().toString();
                if (!name.endsWith(".safetensors") && !name.equals(CheckpointTensors.INDEX_FILE)
                        && !name.equals("config.json")) {
                    extra.put(name, f);
                }
            });
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + source + ": " + e.getMessage(), e);
        }
        try (CheckpointTensors tensors = CheckpointTensors.open(source);
             NDManager merge = adapters.manager().newSubManager()) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : tensors.names()) {
                shapes.put(name, tensors.entry(name).shape());
            }
            CheckpointWriter.write(target, dir -> copy(source.resolve("config.json"), dir.resolve("config.json")),
                    shapes, name -> {
                        Integer s = sites.get(name);
                        NDArray w = tensors.readFloat32(name, merge);
                        if (s == null) {
                            return w;
                        }
                        try (NDManager tmp = merge.newSubManager()) {
                            // the adapter's A^T [in, r] and B^T [r, out] as views owned by tmp (so is their product),
                            // cut from autograd: B A = (A^T B^T)^T
                            NDArray aT = adapters.parameter(2 * s).get(tmp, new NDIndex(":")).stopGradient();
                            NDArray bT = adapters.parameter(2 * s + 1).get(tmp, new NDIndex(":")).stopGradient();
                            NDArray merged = aT.matMul(bT).transpose().mul(scale).add(w);
                            merged.attach(merge);
                            w.close();
                            return merged;
                        }
                    }, true, DType.F32, 0, extra);
        }
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (IOException e) {
            throw new CheckpointException("cannot copy " + from + ": " + e.getMessage(), e);
        }
    }
}
