package dev.claws.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnginesTest {

    @Test
    void pytorchLoadsOfflineFromTheBundledNativesWithTheConfiguredThreads() {
        Engine engine = Engines.pytorch(EngineOptions.cpu(1));
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.7.1", engine.getVersion());
        assertEquals(1, Engines.intraOpThreads());
        Engines.pytorch(EngineOptions.cpu(2));
        assertEquals(2, Engines.intraOpThreads());
        // a decode step lowers the current count for its small ops; the configured count is what it goes back to
        Engines.withThreads(1, Engines.configuredThreads(), () -> {
            assertEquals(1, Engines.intraOpThreads());
            assertEquals(2, Engines.configuredThreads());
            return null;
        });
        assertEquals(2, Engines.intraOpThreads());
        try (NDManager m = Engines.newManager(EngineOptions.cpu(2))) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}).reshape(2, 2);
            assertArrayEquals(new float[] {7, 10, 15, 22}, a.matMul(a).toFloatArray());
        }
    }

    @Test
    void optionsAreValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EngineOptions("tpu", 2));
        assertTrue(e.getMessage().contains("'cpu' or 'gpu'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EngineOptions("cpu", -1));
        if (Engines.pytorch(EngineOptions.cpu()).getGpuCount() == 0) {
            IllegalStateException g = assertThrows(IllegalStateException.class,
                    () -> Engines.device(new EngineOptions("gpu", 0)));
            assertTrue(g.getMessage().contains("no CUDA device"), g.getMessage());
        }
    }
}
