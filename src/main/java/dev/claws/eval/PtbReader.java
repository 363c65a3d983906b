package dev.claws.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Penn Treebank in Mikolov's language-modelling text ({@code ptb.test.txt}): one sentence per line, records are the
 * stripped lines as in Hugging Face's {@code ptb_text_only} {@code sentence} column (blank lines kept as {@code ""}).
 */
public final class PtbReader implements CorpusReader {

    @Override
    public List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(PythonText::strip).toList();
    }
}
