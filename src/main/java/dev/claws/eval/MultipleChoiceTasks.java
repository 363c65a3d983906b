package dev.claws.eval;

import java.util.List;
import java.util.Optional;

/** The supported multiple-choice tasks, by harness task name. */
public final class MultipleChoiceTasks {
    private MultipleChoiceTasks() {
    }

    public static List<MultipleChoiceTask> all() {
        return List.of(new PiqaTask(), new HellaSwagTask(), new WinoGrandeTask(), ArcTask.easy(), ArcTask.challenge(),
                new BoolQTask());
    }

    public static Optional<MultipleChoiceTask> byName(String name) {
        return all().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public static List<String> names() {
        return all().stream().map(MultipleChoiceTask::name).toList();
    }
}
