package dev.claws.model;

import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import dev.claws.model.io.CheckpointTensors;
import dev.claws.model.tools.SyntheticCheckpoint;

/** Clear errors for broken checkpoints, and the synthetic-checkpoint writer's output loading back. */
class CheckpointLoadErrorsTest {

    static Path copyFixture(Path dir, String name) throws IOException {
        Path target = dir.resolve(name);
        Files.createDirectories(target);
        try (var files = Files.list(Fixtures.dir(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    static CheckpointException loadFails(Path dir) {
        return assertThrows(CheckpointException.class, () -> DecoderModel.load(dir, EngineOptions.cpu(1)).close());
    }

    @Test
    void wrongShapeNamesTheTensor(@TempDir Path tmp) throws IOException {
        Path d = copyFixture(tmp, "qwen2-fp32-tied");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("\"intermediate_size\": 96", "\"intermediate_size\": 97"));
        CheckpointException e = loadFails(d);
        assertTrue(e.getMessage().contains("mlp.gate_proj.weight") && e.getMessage().contains("[96, 64]")
                && e.getMessage().contains("[97, 64]"), e.getMessage());
    }

    @Test
    void unknownArchitectureIsNamed(@TempDir Path tmp) throws IOException {
        Path d = copyFixture(tmp, "qwen2-fp32-tied");
        Path cfg = d.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replace("Qwen2ForCausalLM", "GPT2LMHeadModel"));
        assertTrue(loadFails(d).getMessage().contains("unknown architecture 'GPT2LMHeadModel'"));
    }

    @Test
    void missingConfigTensorAndTruncationAreReported(@TempDir Path tmp) throws IOException {
        Path d = copyFixture(tmp, "qwen2-bf16-untied");
        Path cfg = d.resolve("config.json");
        String text = Files.readString(cfg);
        Files.writeString(cfg, text.replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
        try (DecoderModel m = DecoderModel.load(d, EngineOptions.cpu(1))) {
            assertTrue(m.config().tieWordEmbeddings(), "an unused lm_head is simply ignored");
        }
        Files.delete(cfg);
        assertTrue(loadFails(d).getMessage().contains("config.json not found"));
        Files.writeString(cfg, text);
        try (RandomAccessFile raf = new RandomAccessFile(d.resolve("model.safetensors").toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        assertTrue(loadFails(d).getMessage().contains("truncated"));
        Path sharded = copyFixture(tmp, "llama-fp32-bias-sharded");
        Path index = sharded.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace("\"model.norm.weight\"", "\"model.norm.weightX\""));
        CheckpointException e = loadFails(sharded);
        assertTrue(e.getMessage().contains("model.norm.weight"), e.getMessage());
    }

    @Test
    void syntheticCheckpointLoadsBackShardedAndInBf16(@TempDir Path tmp) throws IOException {
        ModelConfig c = ModelConfig.of(ModelConfig.Architecture.LLAMA, 48, 2, 6, 2, 8, 80, 300, 512, 1e-5, 500000.0,
                RopeScaling.llama3(8, 1, 4, 64), false, true, true, 1, List.of(2));
        Path out = tmp.resolve("synthetic");
        SyntheticCheckpoint.write(out, c, DType.BF16, 0.2, 5, 40_000, null);
        assertTrue(Files.exists(out.resolve("model.safetensors.index.json")));
        assertTrue(Files.exists(out.resolve("tokenizer.json")));
        long stored = 0;
        try (var ct = CheckpointTensors.open(out)) {
            for (String n : ct.names()) {
                long[] shape = ct.entry(n).shape();
                long k = 1;
                for (long x : shape) {
                    k *= x;
                }
                stored += k;
                assertEquals(DType.BF16, ct.entry(n).dtype());
            }
        }
        assertEquals(c.parameterCount(), stored);
        try (LanguageModel lm = LanguageModel.load(out, EngineOptions.cpu(1))) {
            assertEquals(c.ropeScaling(), lm.model().config().ropeScaling());
            assertEquals("bfloat16", lm.model().config().torchDtype());
            GenerationResult r = lm.model().generate(new long[] {5, 6, 7},
                    GenerationSettings.greedy(4).withStopTokenIds(List.of()));
            assertEquals(4, r.tokenIds().length);
            long[] ids = lm.tokenizer().encode("héllo");
            assertArrayEquals(new long[] {104, 195, 169, 108, 108, 111}, ids);
        }
    }
}
