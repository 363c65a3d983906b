package dev.claws.model;

import ai.djl.ndarray.NDManager;
import dev.claws.model.io.CheckpointTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ActivationObserverTest {

    @Test
    void observerSeesEveryLayerBoundaryStartingWithTheEmbeddings() {
        String name = "llama-fp32-llama3rope-untied";
        long[] ids = {5, 17, 42, 3};
        List<String> seen = new ArrayList<>();
        float[][] first = new float[1][];
        try (DecoderModel model = DecoderModel.load(Fixtures.dir(name), EngineOptions.cpu(1))) {
            model.observe(ids, (layer, point, residual) -> {
                seen.add(layer + ":" + point + ":" + residual.getShape());
                if (layer == 0 && point == ActivationObserver.Point.LAYER_INPUT) {
                    first[0] = residual.toFloatArray();
                }
            });
            assertEquals(List.of("0:LAYER_INPUT:(4, 64)", "0:ATTENTION_RESIDUAL:(4, 64)", "1:LAYER_INPUT:(4, 64)",
                    "1:ATTENTION_RESIDUAL:(4, 64)", "2:LAYER_INPUT:(4, 64)"), seen);
            try (CheckpointTensors t = CheckpointTensors.open(Fixtures.dir(name));
                 NDManager m = Engines.newManager(EngineOptions.cpu(1))) {
                float[] embed = t.readFloat32("model.embed_tokens.weight", m).toFloatArray();
                for (int i = 0; i < ids.length; i++) {
                    float[] row = java.util.Arrays.copyOfRange(embed, (int) ids[i] * 64, (int) ids[i] * 64 + 64);
                    assertArrayEquals(row, java.util.Arrays.copyOfRange(first[0], i * 64, i * 64 + 64));
                }
            }
        }
    }

    /**
     * Sequences fed as rows of one pass are observed as if each ran alone (stacked row-major), and an edit of the
     * stream changes what the following blocks compute; the long-lived manager ends as it began.
     */
    @Test
    void rowsOfOnePassMatchSeparatePassesAndEditsFlowDownstream() {
        String name = "llama-fp32-llama3rope-untied";
        List<long[]> rows = List.of(new long[] {5, 17, 42, 3}, new long[] {9, 1, 77, 250});
        try (DecoderModel model = DecoderModel.load(Fixtures.dir(name), EngineOptions.cpu(1))) {
            int held = model.heldArrays();
            List<float[]> separate = new ArrayList<>();
            for (long[] ids : rows) {
                model.observe(ids, (layer, point, residual) -> {
                    if (layer == 2) {
                        separate.add(residual.toFloatArray());
                    }
                });
            }
            float[][] together = new float[1][];
            model.observe(rows, (layer, point, residual) -> {
                if (layer == 2) {
                    together[0] = residual.toFloatArray();
                }
            });
            assertEquals(2 * 4 * 64, together[0].length);
            for (int r = 0; r < rows.size(); r++) {
                float[] part = java.util.Arrays.copyOfRange(together[0], r * 4 * 64, (r + 1) * 4 * 64);
                for (int i = 0; i < part.length; i++) {
                    assertEquals(separate.get(r)[i], part[i], 1e-5, "row " + r + " element " + i);
                }
            }
            // zeroing the stream entering layer 1 leaves only layer 1's own (bias-free) blocks: their output is 0
            float[][] after = new float[1][];
            model.observe(rows, new ActivationObserver() {
                @Override
                public void observe(int layer, Point point, ai.djl.ndarray.NDArray residual) {
                    if (layer == 2) {
                        after[0] = residual.toFloatArray();
                    }
                }

                @Override
                public ai.djl.ndarray.NDArray edit(int layer, Point point, ai.djl.ndarray.NDArray residual) {
                    observe(layer, point, residual);
                    return layer == 1 && point == Point.LAYER_INPUT ? residual.mul(0) : residual;
                }
            });
            for (float v : after[0]) {
                assertEquals(0f, v, 1e-6f);
            }
            assertEquals(held, model.heldArrays(), "arrays left in the model's manager");
            assertThrows(IllegalArgumentException.class,
                    () -> model.observe(List.of(new long[] {1, 2}, new long[] {1}), (l, p, r) -> { }));
        }
    }
}
