package dev.claws.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that the k8s/ overlays use: maps merge key by key, a null deletes,
 * lists of the pod spec that Kubernetes merges by key (containers and env by name, ...) merge element by element,
 * every other list is replaced. Directives ($patch, $retainKeys, ...) are refused rather than half understood.
 */
final class StrategicMergePatch {

    /** Merge keys of the lists the API declares as associative (x-kubernetes-patch-merge-key), by field name. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "ephemeralContainers", "name",
            "env", "name",
            "volumes", "name",
            "volumeMounts", "mountPath",
            "imagePullSecrets", "name");

    private StrategicMergePatch() {
    }

    static void apply(ObjectNode target, ObjectNode patch, String path) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            String at = path + "." + name;
            if (name.startsWith("$")) {
                throw new IllegalArgumentException("patch directive " + at + " is not supported by this renderer");
            }
            JsonNode current = target.get(name);
            if (value.isNull()) {
                target.remove(name);
            } else if (value.isObject() && current != null && current.isObject()) {
                apply((ObjectNode) current, (ObjectNode) value, at);
            } else if (value.isArray() && current != null && current.isArray() && mergeKey(name, path) != null) {
                mergeList((ArrayNode) current, (ArrayNode) value, mergeKey(name, path), at);
            } else {
                target.set(name, value.deepCopy());
            }
        }
    }

    private static String mergeKey(String field, String path) {
        if (field.equals("ports")) {
            // container ports merge by containerPort, Service ports by port
            return path.matches(".*\\.(containers|initContainers)\\[\\d+]$") ? "containerPort" : "port";
        }
        return MERGE_KEYS.get(field);
    }

    /**
     * Keyed list merge with kustomize's resulting order: the patch's elements first, in patch order (each merged into
     * the original element with the same key, if any), then the original elements the patch did not name.
     */
    private static void mergeList(ArrayNode target, ArrayNode patch, String key, String path) {
        ArrayNode merged = target.arrayNode();
        java.util.Set<JsonNode> patched = new java.util.HashSet<>();
        for (JsonNode element : patch) {
            JsonNode keyValue = element.get(key);
            if (!element.isObject() || keyValue == null) {
                throw new IllegalArgumentException(path + ": every element of this list needs its merge key '" + key + "'");
            }
            ObjectNode result = element.deepCopy();
            for (int i = 0; i < target.size(); i++) {
                if (keyValue.equals(target.get(i).get(key))) {
                    result = (ObjectNode) target.get(i).deepCopy();
                    apply(result, (ObjectNode) element, path + "[" + i + "]");
                    break;
                }
            }
            patched.add(keyValue);
            merged.add(result);
        }
        for (JsonNode original : target) {
            if (!patched.contains(original.get(key))) {
                merged.add(original);
            }
        }
        target.removeAll();
        target.addAll(merged);
    }
}
