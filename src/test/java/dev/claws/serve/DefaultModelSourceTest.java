package dev.claws.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import dev.claws.config.DefaultModelConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which checkpoint the default model resolves to, without any network (no pip package configured). */
class DefaultModelSourceTest {

    static final Path TINY = Path.of("models/claws-tiny");

    @TempDir
    Path tmp;

    /** The claws.model.* settings of one test. */
    private record Model(Path path, Path fallback, Optional<String> pipPackage, Optional<String> pipFile,
                         Optional<String> sha256) implements DefaultModelConfig {
    }

    private DefaultModelSource source(Path configured) {
        return new DefaultModelSource(new Model(configured, TINY, Optional.empty(), Optional.empty(), Optional.empty()),
                () -> tmp.resolve("data"));
    }

    @Test
    void aCheckpointDirectoryIsServedAsItIs() {
        DefaultModelSource s = source(TINY);
        assertEquals("claws-tiny", s.name());
        assertEquals(new DefaultModelSource.Resolved("claws-tiny", TINY), s.resolve());
        assertSame(s.resolve(), s.resolve());
    }

    @Test
    void aMissingGgufWithNothingToFetchFallsBack() {
        DefaultModelSource s = source(tmp.resolve("absent/SmolLM2-135M-Instruct.Q4_1.gguf"));
        assertEquals("claws-tiny", s.name());
        assertEquals(new DefaultModelSource.Resolved("claws-tiny", TINY), s.resolve());
    }

    @Test
    void aGgufThatCannotBeImportedFallsBackAndLeavesNothingBehind() throws IOException {
        Path bad = tmp.resolve("other-arch.gguf");
        Files.copy(Path.of("src/test/resources/fixtures/gguf/blocks.gguf"), bad);
        DefaultModelSource s = source(bad);
        assertEquals("other-arch", s.name());
        assertEquals(new DefaultModelSource.Resolved("claws-tiny", TINY), s.resolve());
        Path cache = s.importCache();
        if (Files.exists(cache)) {
            try (Stream<Path> left = Files.list(cache)) {
                assertEquals(0, left.count(), "no partial import left in " + cache);
            }
        }
        assertTrue(Files.isRegularFile(bad));
    }
}
