package dev.claws.model;

import ai.djl.ndarray.NDManager;
import dev.claws.model.io.CheckpointTensors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
