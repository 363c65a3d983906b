package dev.claws.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads a text corpus as its records (the rows of the Hugging Face copy the reference code evaluates). */
public interface CorpusReader {
    List<String> read(Path file) throws IOException;
}
