package dev.claws.model.gguf;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.claws.model.EngineOptions;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import dev.claws.model.io.CheckpointWriter;
import dev.claws.model.io.DType;
import dev.claws.model.io.FileTrees;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Imports a GGUF file (llama or qwen2) into a Hugging Face checkpoint directory: config.json, model.safetensors
 * (float32 or bfloat16, tensors dequantized and renamed by {@link GgufCheckpoint}), tokenizer.json,
 * tokenizer_config.json, chat_template.jinja and generation_config.json (by {@link GgufTokenizer}). The directory is
 * written under a temporary name and renamed at the end, so a failed import leaves nothing behind.
 */
public final class GgufImporter {

    public static final String EXTENSION = ".gguf";

    private GgufImporter() {
    }

    /** Whether {@code path} names a GGUF file (by its extension). */
    public static boolean isGguf(Path path) {
        return path.getFileName() != null
                && path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(EXTENSION);
    }

    /** Writes the checkpoint directory {@code target} (which must not exist) from {@code gguf}. */
    public static ModelConfig importCheckpoint(Path gguf, Path target, DType dtype) {
        try (GgufFile f = GgufFile.open(gguf)) {
            GgufCheckpoint checkpoint = GgufCheckpoint.of(f);
            GgufTokenizer tokenizer = GgufTokenizer.of(f);
            ModelConfig config = checkpoint.config().withTorchDtype(dtype.torchName());
            Map<String, long[]> shapes = checkpoint.shapes();
            Path tokenizerDir = Files.createTempDirectory("claws-gguf-tokenizer");
            try (NDManager m = Engines.newManager(EngineOptions.cpu())) {
                tokenizer.write(tokenizerDir);
                Map<String, Path> extra = new LinkedHashMap<>();
                try (Stream<Path> files = Files.list(tokenizerDir)) {
                    files.sorted().forEach(p -> extra.put(p.getFileName().toString(), p));
                }
                CheckpointWriter.write(target, config::write, shapes,
                        name -> m.create(checkpoint.tensor(name), new Shape(shapes.get(name))), true, dtype, 0,
                        extra);
            } finally {
                FileTrees.deleteQuietly(tokenizerDir);
            }
            return config;
        } catch (IOException e) {
            throw new GgufException("cannot import " + gguf + ": " + e.getMessage(), e);
        }
    }

    /**
     * The float32 checkpoint imported from {@code gguf} under {@code cacheRoot}, importing it on first use. The
     * directory is named after the file and the first 16 hex digits of its SHA-256, so a changed file is imported
     * afresh and an unchanged one is reused (across restarts too).
     */
    public static Path cached(Path gguf, Path cacheRoot) {
        String stem = gguf.getFileName().toString();
        stem = stem.substring(0, stem.length() - EXTENSION.length());
        Path target = cacheRoot.resolve(stem + "-" + sha256(gguf).substring(0, 16));
        if (Files.isRegularFile(target.resolve(ModelConfig.FILE_NAME))) {
            return target;
        }
        try {
            Files.createDirectories(cacheRoot);
            importCheckpoint(gguf, target, DType.F32);
        } catch (IOException e) {
            throw new GgufException("cannot create the import cache " + cacheRoot + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // another import of the same file finished first: use its result
            if (!Files.isRegularFile(target.resolve(ModelConfig.FILE_NAME))) {
                throw e;
            }
        }
        return target;
    }

    /** Hex SHA-256 of a file's bytes. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new GgufException("GGUF file not found: " + file);
        } catch (IOException e) {
            throw new GgufException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
