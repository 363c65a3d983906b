package dev.claws.train;

import dev.claws.eval.AlpacaReader;
import dev.claws.eval.PtbReader;
import dev.claws.eval.WikiTextReader;
import dev.claws.model.TextTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The recovery-fine-tuning data sets (ids alpaca, wikitext2, ptb), all outside any split evaluation reports as test:
 * Stanford Alpaca (the default,
 * the published RFT practice; every record rendered with the Stanford Alpaca prompt template of {@link AlpacaReader}
 * followed by its output and the end-of-sequence token), WikiText-2 validation and PTB validation (the text in file
 * order). Examples are packed into fixed-length sequences: token streams are concatenated and cut every
 * sequenceLength tokens, with no padding, so D (training tokens consumed) = sequences x sequence length.
 * Order is seeded: Alpaca records are shuffled before packing, corpus sequences after cutting.
 */
public enum TrainingData {
    ALPACA("alpaca", "alpaca/alpaca_data.json"),
    WIKITEXT2_VALID("wikitext2", "wikitext-2-raw/wiki.valid.raw"),
    PTB_VALID("ptb", "ptb/ptb.valid.txt");

    private final String id;
    private final String relativePath;

    TrainingData(String id, String relativePath) {
        this.id = id;
        this.relativePath = relativePath;
    }

    public String id() {
        return id;
    }

    public Path file(Path dataDir) {
        return dataDir.resolve(relativePath);
    }

    public static Optional<TrainingData> byId(String id) {
        for (TrainingData d : values()) {
            if (d.id.equals(id)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The first {@code count} packed sequences of {@code sequenceLength} tokens in the order {@code seed} gives;
     * tokenizes only as much text as they need.
     *
     * @throws IllegalArgumentException when the data set holds fewer tokens
     */
    public List<long[]> sequences(Path dataDir, TextTokenizer tokenizer, long eosId, int sequenceLength, int count,
                                  long seed) throws IOException {
        Path file = file(dataDir);
        List<long[]> out = new ArrayList<>(count);
        if (this == ALPACA) {
            List<String> records = new AlpacaReader().read(file);
            Collections.shuffle(records, new Random(seed));
            long[] current = new long[sequenceLength];
            int fill = 0;
            for (String record : records) {
                long[] ids = tokenizer.encode(record, false);
                for (int i = 0; i <= ids.length && out.size() < count; i++) {
                    current[fill++] = i < ids.length ? ids[i] : eosId;
                    if (fill == sequenceLength) {
                        out.add(current);
                        current = new long[sequenceLength];
                        fill = 0;
                    }
                }
                if (out.size() == count) {
                    return out;
                }
            }
        } else {
            List<String> rows = this == WIKITEXT2_VALID ? new WikiTextReader().read(file) : new PtbReader().read(file);
            // joined as the cross-entropy evaluator joins records
            long[] ids = tokenizer.encode(String.join("\n\n", rows), false);
            List<long[]> all = new ArrayList<>();
            for (int from = 0; from + sequenceLength <= ids.length; from += sequenceLength) {
                long[] s = new long[sequenceLength];
                System.arraycopy(ids, from, s, 0, sequenceLength);
                all.add(s);
            }
            Collections.shuffle(all, new Random(seed));
            if (all.size() >= count) {
                return new ArrayList<>(all.subList(0, count));
            }
            out = all;
        }
        throw new IllegalArgumentException(id + " holds only " + (long) out.size() * sequenceLength
                + " tokens in sequences of " + sequenceLength + ", fewer than the " + (long) count * sequenceLength
                + " requested");
    }
}
