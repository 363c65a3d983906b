package dev.claws.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * WikiText-2 (raw) as the rows of Hugging Face's {@code wikitext-2-raw-v1}: a non-empty row is one source line with its
 * trailing {@code "\n"}, an empty row is {@code ""}.
 *
 * <p>Two file layouts are read (CRLF is normalized to LF first):
 * <ul>
 *   <li>the rows exported with a blank line between them, i.e. the file is {@code "\n\n".join(rows)} (this is the layout
 *       of {@code shared/data/wikitext-2-raw/wiki.test.raw}: 4,358 rows, 2,891 non-empty);</li>
 *   <li>the original release, one row per line, whitespace-only lines being empty rows.</li>
 * </ul>
 * The first is recognized when the text parses unambiguously as such a join; otherwise lines are rows.
 */
public final class WikiTextReader implements CorpusReader {

    @Override
    public List<String> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).replace("\r\n", "\n");
        return parseJoinedRows(text).orElseGet(() -> lineRows(text));
    }

    /** Parses {@code "\n\n".join(rows)} where every row is {@code ""} or a single line ending in {@code "\n"}. */
    static Optional<List<String>> parseJoinedRows(String text) {
        List<String> rows = new ArrayList<>();
        int p = 0;
        int n = text.length();
        while (true) {
            if (p < n && text.charAt(p) != '\n') {
                int end = text.indexOf('\n', p);
                if (end < 0 || text.substring(p, end).isBlank()) {
                    return Optional.empty();
                }
                rows.add(text.substring(p, end + 1));
                p = end + 1;
            } else {
                rows.add("");
            }
            if (p >= n) {
                break;
            }
            if (!text.startsWith("\n\n", p)) {
                return Optional.empty();
            }
            p += 2;
        }
        return Optional.of(rows);
    }

    private static List<String> lineRows(String text) {
        List<String> rows = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            rows.add(line.isBlank() ? "" : line + "\n");
        }
        if (text.endsWith("\n")) {
            rows.remove(rows.size() - 1);
        }
        return rows;
    }
}
