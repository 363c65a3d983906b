package dev.claws.jobs;

import dev.claws.eval.Corpus;
import dev.claws.eval.MultipleChoiceTasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The evaluation tasks a job can run and the file each reads under claws.eval.data-dir. Intrinsic corpora use the
 * layout of {@link Corpus} (e.g. {@code wikitext-2-raw/wiki.test.raw}); a multiple-choice task reads
 * {@code tasks/<task>.jsonl}, the benchmark's published jsonl (PIQA may keep its labels beside it in
 * {@code tasks/piqa-labels.lst}).
 */
public final class EvalTasks {

    public static final String TASKS_DIR = "tasks";

    private EvalTasks() {
    }

    public static List<String> intrinsic() {
        return Arrays.stream(Corpus.values()).map(Corpus::id).toList();
    }

    public static List<String> extrinsic() {
        return MultipleChoiceTasks.names();
    }

    public static List<String> known() {
        List<String> all = new ArrayList<>(intrinsic());
        all.addAll(extrinsic());
        return all;
    }

    public static boolean isIntrinsic(String task) {
        return Corpus.byId(task).isPresent();
    }

    public static boolean isKnown(String task) {
        return isIntrinsic(task) || MultipleChoiceTasks.byName(task).isPresent();
    }

    /** The data file a known task reads. */
    public static Path dataFile(String task, Path dataDir) {
        return Corpus.byId(task).map(c -> c.file(dataDir))
                .orElseGet(() -> dataDir.resolve(TASKS_DIR).resolve(task + ".jsonl"));
    }
}
