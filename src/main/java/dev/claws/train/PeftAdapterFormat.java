package dev.claws.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.DType;
import dev.claws.model.io.FileTrees;
import dev.claws.model.io.SafetensorsReader;
import dev.claws.model.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * LoRA adapters in the layout peft's save_pretrained writes and PeftModel.from_pretrained reads: a directory with
 * adapter_config.json (peft_type LORA, r, lora_alpha, lora_dropout, target_modules, ...) and adapter_model.safetensors
 * holding float32 {@code base_model.model.<module path>.lora_A.weight} [r, in] and {@code ...lora_B.weight} [out, r].
 */
public final class PeftAdapterFormat {

    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    private PeftAdapterFormat() {
    }

    static String key(LoraAdapters.Site site, String matrix) {
        return "base_model.model." + site.target().modulePath(site.layer()) + ".lora_" + matrix + ".weight";
    }

    /** Reads the LoRA settings of a peft adapter directory. */
    public static LoraConfig readConfig(Path dir) {
        try {
            JsonObject c = JsonParser.parseString(Files.readString(dir.resolve(CONFIG))).getAsJsonObject();
            Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
            for (var e : c.getAsJsonArray("target_modules")) {
                targets.add(LoraTarget.byName(e.getAsString()).orElseThrow(() -> new CheckpointException(
                        "unsupported LoRA target module " + e.getAsString())));
            }
            double dropout = c.has("lora_dropout") ? c.get("lora_dropout").getAsDouble() : 0;
            return new LoraConfig(c.get("r").getAsInt(), c.get("lora_alpha").getAsDouble(), dropout, targets);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot read " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /** Loads every adapter of {@code adapters} from {@code dir}'s safetensors file. */
    public static void readWeights(Path dir, LoraAdapters adapters) {
        try (SafetensorsReader reader = SafetensorsReader.open(dir.resolve(WEIGHTS));
             NDManager tmp = adapters.manager().newSubManager()) {
            List<LoraAdapters.Site> sites = adapters.sites();
            for (int s = 0; s < sites.size(); s++) {
                float[] a = reader.readFloat32(key(sites.get(s), "A"), tmp).toFloatArray();
                float[] b = reader.readFloat32(key(sites.get(s), "B"), tmp).toFloatArray();
                adapters.set(s, a, b);
            }
        }
    }

    /**
     * Writes {@code adapters} as a peft adapter directory {@code dir} (must not exist), naming {@code baseModel} as
     * base_model_name_or_path. Written to a hidden sibling first and renamed, so no half-written adapter remains.
     */
    public static void write(Path dir, LoraAdapters adapters, String baseModel) {
        if (Files.exists(dir)) {
            throw new CheckpointException("adapter directory already exists: " + dir);
        }
        Path parent = dir.toAbsolutePath().getParent();
        Path tmp = parent.resolve("." + dir.getFileName() + ".partial-" + System.nanoTime());
        LoraConfig config = adapters.config();
        try (NDManager out = adapters.manager().newSubManager()) {
            Files.createDirectories(tmp);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            List<LoraAdapters.Site> sites = adapters.sites();
            for (int s = 0; s < sites.size(); s++) {
                LoraAdapters.Site site = sites.get(s);
                tensors.put(key(site, "A"), out.create(adapters.a(s), new Shape(config.rank(), site.in())));
                tensors.put(key(site, "B"), out.create(adapters.b(s), new Shape(site.out(), config.rank())));
            }
            SafetensorsWriter.write(tmp.resolve(WEIGHTS), tensors, DType.F32, Map.of());
            JsonObject c = new JsonObject();
            c.addProperty("peft_type", "LORA");
            c.addProperty("task_type", "CAUSAL_LM");
            c.addProperty("base_model_name_or_path", baseModel);
            c.addProperty("r", config.rank());
            c.addProperty("lora_alpha", config.alpha());
            c.addProperty("lora_dropout", config.dropout());
            JsonArray modules = new JsonArray();
            for (LoraTarget t : LoraTarget.values()) {
                if (config.targets().contains(t)) {
                    modules.add(t.module());
                }
            }
            c.add("target_modules", modules);
            c.addProperty("bias", "none");
            c.addProperty("fan_in_fan_out", false);
            c.addProperty("inference_mode", true);
            c.addProperty("init_lora_weights", true);
            c.addProperty("use_rslora", false);
            c.addProperty("use_dora", false);
            Files.writeString(tmp.resolve(CONFIG), new GsonBuilder().setPrettyPrinting().create().toJson(c) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            FileTrees.deleteQuietly(tmp);
            throw new CheckpointException("cannot write adapter " + dir + ": " + e.getMessage(), e);
        }
    }
}
