package dev.claws.compress;

import ai.djl.ndarray.NDManager;
import dev.claws.model.Engines;
import dev.claws.model.ModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SliceGPT's rotation and shortcut products (Q_k^T W, Q_k^T Q_j, W Q_k) never land in the long-lived manager that
 * holds the bases: after writing a sliced checkpoint it holds the arrays it held before.
 */
class SliceGptArraysTest {

    @Test
    void rotatingLeavesNothingInTheLongLivedManager(@TempDir Path tmp) {
        ModelConfig config = ModelConfig.load(TestModels.TINY);
        for (SliceGptPcaMode pca : SliceGptPcaMode.values()) {
            try (NDManager root = Engines.newManager(TestModels.CPU)) {
                int before = root.getManagedArrays().size();
                SliceGpt.write(TestModels.TINY, tmp.resolve("sliced-" + pca), config,
                        SliceGpt.slicedWidth(config, 0.25), pca, TestModels.randomTokens(2, 16, config.vocabSize(), 1),
                        root, CompressionProgress.NONE);
                int after = root.getManagedArrays().size();
                System.out.printf("slicegpt %s: long-lived manager held %d arrays before writing %d layers, %d after%n",
                        pca, before, config.numHiddenLayers(), after);
                assertEquals(before, after, "arrays left in the long-lived manager by SliceGPT " + pca);
            }
        }
    }
}
