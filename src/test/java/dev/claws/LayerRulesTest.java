package dev.claws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md's layer rule on the sources: a package imports only the claws packages its package-info allows (none from
 * a layer above it), every package has a package-info, and no server class imports a command-line tool.
 */
class LayerRulesTest {

    private static final Path MAIN = Path.of("src/main/java");
    private static final Path TOOLS = Path.of("src/tools/java");

    /** What each server package may import from claws (besides itself). */
    private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
            Map.entry("config", Set.of()),
            Map.entry("store", Set.of()),
            Map.entry("law", Set.of()),
            Map.entry("model.io", Set.of()),
            Map.entry("model", Set.of("model.io")),
            Map.entry("model.gguf", Set.of("model", "model.io")),
            Map.entry("eval", Set.of("model", "model.io")),
            Map.entry("compress", Set.of("model", "model.io")),
            Map.entry("train", Set.of("eval", "model", "model.io")),
            Map.entry("serve", Set.of("config", "store", "eval", "model", "model.io", "model.gguf")),
            Map.entry("jobs", Set.of("config", "store", "law", "compress", "train", "eval", "model", "model.io")),
            Map.entry("report", Set.of("law")),
            Map.entry("api", Set.of("api.v1", "config", "store", "jobs", "serve", "law", "report", "compress", "train",
                    "eval", "model", "model.io", "model.gguf")));

    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.claws\\.([a-z0-9.]+?)\\.[A-Z]",
            Pattern.MULTILINE);

    @Test
    void everyPackageImportsOnlyWhatItsLayerAllows() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path file : javaFiles(MAIN)) {
            String pkg = packageOf(MAIN, file);
            Set<String> allowed = ALLOWED.get(pkg);
            if (allowed == null) {
                violations.add(pkg + " is not a known layer (add it to LayerRulesTest and DESIGN.md)");
                continue;
            }
            Matcher m = IMPORT.matcher(Files.readString(file));
            while (m.find()) {
                String target = m.group(1);
                if (!target.equals(pkg) && !allowed.contains(target)) {
                    violations.add(MAIN.relativize(file) + " imports dev.claws." + target);
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void everyPackageSaysWhatItHoldsAndMayImport() throws IOException {
        for (Path root : List.of(MAIN, TOOLS)) {
            for (Path file : javaFiles(root)) {
                Path info = file.resolveSibling("package-info.java");
                assertTrue(Files.isRegularFile(info), "no " + root.relativize(info));
                assertTrue(Files.readString(info).contains("May import"), root.relativize(info) + " says no imports");
            }
        }
    }

    @Test
    void theToolsLiveOutsideTheServer() throws IOException {
        for (Path file : javaFiles(MAIN)) {
            assertTrue(!packageOf(MAIN, file).endsWith("tools") && !Files.readString(file).contains(".tools."),
                    MAIN.relativize(file) + " is or uses a command-line tool; tools live in " + TOOLS);
        }
        for (Path file : javaFiles(TOOLS)) {
            assertTrue(packageOf(TOOLS, file).endsWith(".tools"), TOOLS.relativize(file) + " is not in a tools package");
        }
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** "model.io" for src/main/java/dev/claws/model/io/X.java. */
    private static String packageOf(Path root, Path file) {
        return root.relativize(file.getParent()).toString().replace('/', '.').substring("dev.claws.".length());
    }
}
