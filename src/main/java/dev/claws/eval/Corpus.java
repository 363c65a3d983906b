package dev.claws.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The intrinsic-evaluation corpora, with their reader and their file under the data directory. */
public enum Corpus {
    WIKITEXT2("wikitext2", "wikitext-2-raw/wiki.test.raw", new WikiTextReader()),
    PTB("ptb", "ptb/ptb.test.txt", new PtbReader()),
    ALPACA("alpaca", "alpaca/alpaca_data_sample.json", new AlpacaReader());

    private final String id;
    private final String relativePath;
    private final CorpusReader reader;

    Corpus(String id, String relativePath, CorpusReader reader) {
        this.id = id;
        this.relativePath = relativePath;
        this.reader = reader;
    }

    public String id() {
        return id;
    }

    public Path file(Path dataDir) {
        return dataDir.resolve(relativePath);
    }

    public List<String> read(Path dataDir) throws IOException {
        return reader.read(file(dataDir));
    }

    public static Optional<Corpus> byId(String id) {
        return Arrays.stream(values()).filter(c -> c.id.equals(id)).findFirst();
    }
}
