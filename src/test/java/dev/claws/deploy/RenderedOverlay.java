package dev.claws.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One rendered overlay: the JSON trees (for comparison with kustomize) and their strictly parsed fabric8 objects. */
record RenderedOverlay(String name, List<ObjectNode> trees, List<HasMetadata> objects) {

    /** Parses every tree strictly; all schema violations are reported together. */
    static RenderedOverlay of(String name, List<ObjectNode> trees) {
        List<HasMetadata> objects = new ArrayList<>();
        List<String> violations = new ArrayList<>();
        for (ObjectNode tree : trees) {
            try {
                objects.add(StrictSchema.parse(tree));
            } catch (StrictSchema.Violation v) {
                violations.add(v.getMessage());
            }
        }
        if (!violations.isEmpty()) {
            throw new StrictSchema.Violation("overlay " + name + " violates the Kubernetes schema:\n  "
                    + String.join("\n  ", violations));
        }
        return new RenderedOverlay(name, List.copyOf(trees), List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
    }
}
