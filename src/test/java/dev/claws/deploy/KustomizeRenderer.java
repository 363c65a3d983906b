package dev.claws.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kustomize build} does, for the subset of kustomize that k8s/ uses:
 * resources (files and directories), strategic-merge patches given by path or inline, namespace and images,
 * applied in kustomize's order (patches, namespace, images). Anything else is refused, so the tree cannot grow a
 * feature this renderer would silently ignore; KustomizeOverlaysTest compares the result with the real kustomize
 * whenever one is installed.
 */
final class KustomizeRenderer {

    private static final Set<String> SUPPORTED_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "namespace", "images");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "PersistentVolume", "StorageClass", "ClusterRole",
            "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass");

    List<ObjectNode> render(Path dir) {
        Path file = kustomizationFile(dir);
        List<ObjectNode> docs = Manifests.read(file);
        if (docs.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one document");
        }
        ObjectNode kustomization = docs.get(0);
        for (Iterator<String> it = kustomization.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!SUPPORTED_FIELDS.contains(field)) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is not supported by this renderer"
                        + " (supported: " + SUPPORTED_FIELDS + "); keep k8s/ within that subset or extend the renderer");
            }
        }
        requireText(kustomization, "apiVersion", "kustomize.config.k8s.io/v1beta1", file);
        requireText(kustomization, "kind", "Kustomization", file);

        List<ObjectNode> objects = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode resource : kustomization.path("resources")) {
            Path p = dir.resolve(resource.asText()).normalize();
            List<ObjectNode> loaded = Files.isDirectory(p) ? render(p) : Manifests.read(p);
            for (ObjectNode o : loaded) {
                if (!ids.add(Manifests.id(o))) {
                    throw new IllegalArgumentException(file + ": resource " + Manifests.id(o) + " is defined twice");
                }
                objects.add(o);
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            applyPatch(dir, file, patch, objects);
        }
        if (kustomization.hasNonNull("namespace")) {
            setNamespace(objects, kustomization.get("namespace").asText(), file);
        }
        for (JsonNode image : kustomization.path("images")) {
            setImage(objects, image, file);
        }
        return objects;
    }

    private static Path kustomizationFile(Path dir) {
        for (String name : List.of("kustomization.yaml", "kustomization.yml", "Kustomization")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new IllegalArgumentException(dir + ": no kustomization.yaml");
    }

    private static void requireText(ObjectNode node, String field, String expected, Path file) {
        if (node.has(field) && !expected.equals(node.get(field).asText())) {
            throw new IllegalArgumentException(file + ": " + field + " must be " + expected);
        }
    }

    private static void applyPatch(Path dir, Path file, JsonNode entry, List<ObjectNode> objects) {
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!field.equals("path") && !field.equals("patch")) {
                throw new IllegalArgumentException(file + ": patches[]." + field + " is not supported by this renderer"
                        + " (strategic merge patches that name their target in their own metadata only)");
            }
        }
        List<ObjectNode> patches = entry.has("path")
                ? Manifests.read(dir.resolve(entry.get("path").asText()).normalize())
                : Manifests.read(entry.path("patch").asText(), file + " (inline patch)");
        for (ObjectNode patch : patches) {
            String kind = patch.path("kind").asText();
            String name = patch.path("metadata").path("name").asText();
            String namespace = patch.path("metadata").path("namespace").asText(null);
            List<ObjectNode> matches = objects.stream()
                    .filter(o -> kind.equals(o.path("kind").asText()))
                    .filter(o -> name.equals(o.path("metadata").path("name").asText()))
                    .filter(o -> namespace == null || namespace.equals(o.path("metadata").path("namespace").asText()))
                    .toList();
            if (matches.size() != 1) {
                throw new IllegalArgumentException(file + ": patch for " + kind + " " + name + " matches "
                        + matches.size() + " resources, expected exactly one");
            }
            StrategicMergePatch.apply(matches.get(0), patch, "");
        }
    }

    private static void setNamespace(List<ObjectNode> objects, String namespace, Path file) {
        for (ObjectNode o : objects) {
            String kind = o.path("kind").asText();
            ObjectNode meta = o.has("metadata") ? (ObjectNode) o.get("metadata") : o.putObject("metadata");
            if (kind.equals("Namespace")) {
                if (!namespace.equals(meta.path("name").asText())) {
                    throw new IllegalArgumentException(file + ": Namespace " + meta.path("name").asText()
                            + " differs from namespace " + namespace + " (renaming it is not supported by this renderer)");
                }
            } else if (!CLUSTER_SCOPED.contains(kind)) {
                meta.put("namespace", namespace);
            }
        }
    }

    private static void setImage(List<ObjectNode> objects, JsonNode image, Path file) {
        for (Iterator<String> it = image.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!Set.of("name", "newName", "newTag", "digest").contains(field)) {
                throw new IllegalArgumentException(file + ": images[]." + field + " is not supported by this renderer");
            }
        }
        for (ObjectNode o : objects) {
            forEachContainer(o, container -> {
                ImageRef ref = ImageRef.parse(container.path("image").asText());
                if (ref.name().equals(image.path("name").asText())) {
                    container.put("image", ref.with(
                            image.path("newName").asText(null), image.path("newTag").asText(null),
                            image.path("digest").asText(null)).toString());
                }
            });
        }
    }

    /** Every element of every containers/initContainers list at any depth, as kustomize's image transformer visits them. */
    static void forEachContainer(JsonNode node, java.util.function.Consumer<ObjectNode> action) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((e.getKey().equals("containers") || e.getKey().equals("initContainers")) && e.getValue().isArray()) {
                    for (JsonNode c : (ArrayNode) e.getValue()) {
                        if (c.isObject() && c.has("image")) {
                            action.accept((ObjectNode) c);
                        }
                    }
                } else {
                    forEachContainer(e.getValue(), action);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> forEachContainer(child, action));
        }
    }

    /** name[:tag][@digest], where a ':' before the last '/' belongs to a registry port. */
    record ImageRef(String name, String tag, String digest) {
        static ImageRef parse(String image) {
            String digest = null;
            int at = image.indexOf('@');
            if (at >= 0) {
                digest = image.substring(at + 1);
                image = image.substring(0, at);
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new ImageRef(image.substring(0, colon), image.substring(colon + 1), digest);
            }
            return new ImageRef(image, null, digest);
        }

        ImageRef with(String newName, String newTag, String newDigest) {
            if (newDigest != null) {
                return new ImageRef(newName != null ? newName : name, null, newDigest);
            }
            return new ImageRef(newName != null ? newName : name, newTag != null ? newTag : tag, newTag != null ? null : digest);
        }

        @Override
        public String toString() {
            return name + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
        }
    }
}
