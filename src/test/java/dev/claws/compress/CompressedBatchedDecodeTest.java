package dev.claws.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.claws.model.DecodeBatch;
import dev.claws.model.DecoderModel;
import dev.claws.model.GenerationResult;
import dev.claws.model.GenerationSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compressed checkpoints have shapes the base never has (per-layer FFN widths; SliceGPT's narrower residual stream,
 * weightless norms and shortcut matrices): batched decoding must give each request the tokens it gets alone on them too.
 */
class CompressedBatchedDecodeTest {

    @ParameterizedTest
    @EnumSource(PruningMethod.class)
    void batchedDecodingOfACompressedModelMatchesDecodingAlone(PruningMethod method, @TempDir Path tmp)
            throws Exception {
        CompressionSpec spec = new CompressionSpec(method, 0.3, 5, false);
        Path dir = Compressor.compress(TestModels.TINY, tmp.resolve("variant"), spec,
                TestModels.randomTokens(4, 64, 2048, 9), TestModels.CPU, null).directory();
        try (DecoderModel model = DecoderModel.load(dir, TestModels.CPU)) {
            int requests = 5;
            List<long[]> prompts = new ArrayList<>();
            List<long[]> alone = new ArrayList<>();
            GenerationSettings settings = GenerationSettings.greedy(16).withStopTokenIds(List.of());
            for (int i = 0; i < requests; i++) {
                prompts.add(TestModels.randomTokens(1, 3 + 4 * i, model.config().vocabSize(), 40 + i).get(0));
                alone.add(model.generate(prompts.get(i), settings).tokenIds());
            }
            ExecutorService pool = Executors.newFixedThreadPool(requests);
            try (DecodeBatch batch = new DecodeBatch(model, 3, "compressed-batch")) {
                List<Future<GenerationResult>> futures = new ArrayList<>();
                for (long[] prompt : prompts) {
                    futures.add(pool.submit(() -> batch.generate(prompt, settings, null, null)));
                }
                for (int i = 0; i < requests; i++) {
                    assertArrayEquals(alone.get(i), futures.get(i).get().tokenIds(), method + " request " + i);
                }
                assertTrue(batch.peakRows() >= 2, "rows never shared a step: " + batch.peakRows());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
