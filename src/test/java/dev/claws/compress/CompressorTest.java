package dev.claws.compress;

import dev.claws.model.io.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API's contract: bad input is refused with the field named; cancellation and failures leave nothing behind. */
class CompressorTest {

    @Test
    void ratiosOutsideTheOpenUnitIntervalAreRefused() {
        for (double r : new double[] {0, 1, -0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CompressionSpec(PruningMethod.RANDOM_PRUNE, r, 1, false));
            assertTrue(e.getMessage().contains("ratio") && e.getMessage().contains("(0, 1)"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpec(null, 0.5, 1, false));
        IllegalArgumentException heads = assertThrows(IllegalArgumentException.class,
                () -> new CompressionSpec(PruningMethod.SLICEGPT, 0.5, 1, true));
        assertTrue(heads.getMessage().contains("pruneAttentionHeads"), heads.getMessage());
        IllegalArgumentException pca = assertThrows(IllegalArgumentException.class,
                () -> new CompressionSpec(PruningMethod.RANDOM_PRUNE, 0.5, 1, false, SliceGptPcaMode.SINGLE_PASS));
        assertTrue(pca.getMessage().contains("sliceGptPca"), pca.getMessage());
        assertEquals(SliceGptPcaMode.SEQUENTIAL, new CompressionSpec(PruningMethod.SLICEGPT, 0.5, 1, false, null)
                .sliceGptPca(), "the official algorithm is the default");
    }

    @Test
    void sequentialSliceGptNeedsCalibrationSequencesOfOneLength(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compressor.compress(
                TestModels.TINY, tmp.resolve("out"), CompressionSpec.sliceGpt(0.3),
                List.of(new long[] {1, 2, 3, 4}, new long[] {1, 2, 3}), TestModels.CPU, null));
        assertTrue(e.getMessage().contains("one length"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void progressRunsFromZeroToOneWithoutGoingBack(@TempDir Path tmp) {
        for (CompressionSpec spec : List.of(CompressionSpec.randomPrune(0.5, 1), CompressionSpec.sliceGpt(0.5),
                CompressionSpec.sliceGpt(0.5, SliceGptPcaMode.SINGLE_PASS))) {
            List<Double> seen = new java.util.ArrayList<>();
            List<String> stages = new java.util.ArrayList<>();
            Compressor.compress(TestModels.TINY, tmp.resolve("out-" + spec.method() + "-" + spec.sliceGptPca()), spec,
                    TestModels.randomTokens(2, 16, 2048, 1), TestModels.CPU, (fraction, stage, message) -> {
                        seen.add(fraction);
                        if (!stages.contains(stage)) {
                            stages.add(stage);
                        }
                    });
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) >= seen.get(i - 1), "progress went back: " + seen);
            }
            assertTrue(seen.get(0) >= 0, seen.toString());
            assertEquals(1.0, seen.get(seen.size() - 1));
            List<String> expected = spec.method() == PruningMethod.RANDOM_PRUNE ? List.of("prune")
                    : spec.sliceGptPca() == SliceGptPcaMode.SEQUENTIAL ? List.of("calibrate", "write") // PCA inside the pass
                    : List.of("calibrate", "pca", "write");
            assertEquals(expected, stages);
        }
    }

    @Test
    void aRatioThatLeavesNoNeuronIsRefused(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compressor.compress(
                TestModels.TINY, out, CompressionSpec.randomPrune(0.999, 1), null, TestModels.CPU, null));
        assertTrue(e.getMessage().contains("ratio"), e.getMessage());
        assertFalse(Files.exists(out));
        assertEquals(List.of(), TestModels.list(tmp));
    }

    @Test
    void sliceGptNeedsCalibrationTokens(@TempDir Path tmp) {
        Path out = tmp.resolve("out");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compressor.compress(
                TestModels.TINY, out, CompressionSpec.sliceGpt(0.3), List.of(), TestModels.CPU, null));
        assertTrue(e.getMessage().contains("calibration"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Compressor.compress(TestModels.TINY, out,
                CompressionSpec.sliceGpt(0.3), List.of(new long[] {1, 2, 1_000_000}), TestModels.CPU, null));
        assertEquals(List.of(), TestModels.list(tmp));
    }

    @Test
    void anExistingOutputIsNeitherOverwrittenNorDeleted(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compressor.compress(
                TestModels.TINY, out, CompressionSpec.randomPrune(0.5, 1), null, TestModels.CPU, null));
        assertTrue(e.getMessage().contains("outputDirectory"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void aMissingBaseIsRefused(@TempDir Path tmp) {
        assertThrows(IllegalArgumentException.class, () -> Compressor.compress(tmp.resolve("nope"),
                tmp.resolve("out"), CompressionSpec.randomPrune(0.5, 1), null, TestModels.CPU, null));
    }

    @Test
    void interruptingTheThreadCancelsAndLeavesNoOutput(@TempDir Path tmp) {
        for (CompressionSpec spec : List.of(CompressionSpec.randomPrune(0.5, 1), CompressionSpec.sliceGpt(0.5),
                CompressionSpec.sliceGpt(0.5, SliceGptPcaMode.SINGLE_PASS))) {
            Path out = tmp.resolve("out-" + spec.method() + "-" + spec.sliceGptPca());
            List<Double> seen = new java.util.ArrayList<>();
            try {
                assertThrows(CancellationException.class, () -> Compressor.compress(TestModels.TINY, out, spec,
                        TestModels.randomTokens(2, 16, 2048, 1), TestModels.CPU, (fraction, stage, message) -> {
                            seen.add(fraction);
                            if (stage.equals("prune") || stage.equals("calibrate")) {
                                Thread.currentThread().interrupt(); // as a job runner's cancel does
                            }
                        }));
                assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status stays set");
            } finally {
                Thread.interrupted();
            }
            assertEquals(1, seen.size(), "stopped at the first check after the interrupt: " + seen);
            assertFalse(Files.exists(out));
        }
        assertEquals(List.of(), TestModels.list(tmp), "no partial directory left behind");
    }

    @Test
    void aFailureMidwayLeavesNoOutput(@TempDir Path tmp) {
        for (CompressionSpec spec : List.of(CompressionSpec.randomPrune(0.5, 1), CompressionSpec.sliceGpt(0.5))) {
            Path out = tmp.resolve("out-" + spec.method());
            RuntimeException e = assertThrows(RuntimeException.class, () -> Compressor.compress(TestModels.TINY,
                    out, spec, TestModels.randomTokens(2, 16, 2048, 1), TestModels.CPU, (fraction, stage, msg) -> {
                        if (fraction > 0.7 && fraction < 1) {
                            throw new IllegalStateException("disk on fire at " + fraction);
                        }
                    }));
            assertTrue(e.getMessage().startsWith("disk on fire"), e.getMessage());
            assertFalse(Files.exists(out));
        }
        assertEquals(List.of(), TestModels.list(tmp), "no partial directory left behind");
    }

    /** A base whose config promises a layer its weights do not have fails while writing, naming the tensor. */
    @Test
    void aBrokenBaseFailsCleanly(@TempDir Path tmp) throws IOException {
        Path base = Files.createDirectories(tmp.resolve("base"));
        for (String f : TestModels.list(TestModels.TINY)) {
            Files.copy(TestModels.TINY.resolve(f), base.resolve(f));
        }
        Path config = base.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"num_hidden_layers\": 4",
                "\"num_hidden_layers\": 5"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path out = work.resolve("out");
        CheckpointException e = assertThrows(CheckpointException.class, () -> Compressor.compress(base, out,
                CompressionSpec.randomPrune(0.5, 1), null, TestModels.CPU, null));
        assertTrue(e.getMessage().contains("model.layers.4"), e.getMessage());
        assertEquals(List.of(), TestModels.list(work));
    }
}
