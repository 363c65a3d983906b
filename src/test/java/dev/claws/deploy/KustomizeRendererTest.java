package dev.claws.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.claws.deploy.OverlayFixtures.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java kustomize subset on small trees: merge semantics, namespace, images, and refusal of what it cannot do. */
class KustomizeRendererTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              template:
                spec:
                  terminationGracePeriodSeconds: 30
                  tolerations:
                    - key: a
                      operator: Exists
                  containers:
                    - name: app
                      image: app:1
                      env:
                        - name: A
                          value: "1"
                        - name: B
                          value: "2"
                      ports:
                        - containerPort: 80
                        - containerPort: 81
                      resources:
                        limits:
                          cpu: "1"
                    - name: sidecar
                      image: registry.local:5000/side@sha256:0123
                  volumes:
                    - name: v1
                      emptyDir: {}
                    - name: v2
                      emptyDir: {}
            """;

    private static final String PATCH = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              template:
                spec:
                  terminationGracePeriodSeconds: null
                  tolerations:
                    - key: b
                      operator: Exists
                  containers:
                    - name: app
                      env:
                        - name: B
                          value: "20"
                        - name: C
                          value: "3"
                      ports:
                        - containerPort: 81
                          name: web
                      resources:
                        limits:
                          memory: 1Gi
                    - name: extra
                      image: app:1
                  volumes:
                    - name: v2
                      emptyDir:
                        medium: Memory
            """;

    private static Path tree(Path root, Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        return root;
    }

    private static Path sample(Path root) throws IOException {
        return tree(root, Map.of(
                "base/kustomization.yaml", "namespace: ns\nresources:\n  - deployment.yaml\n",
                "base/deployment.yaml", DEPLOYMENT,
                "overlay/kustomization.yaml", """
                        apiVersion: kustomize.config.k8s.io/v1beta1
                        kind: Kustomization
                        resources:
                          - ../base
                        patches:
                          - path: patch.yaml
                        images:
                          - name: app
                            newName: reg.example/app
                            newTag: "2"
                          - name: registry.local:5000/side
                            newTag: v9
                        """,
                "overlay/patch.yaml", PATCH));
    }

    @Test
    void patchesMergeByKeyReplaceOtherListsAndDeleteNulls(@TempDir Path root) throws IOException {
        List<ObjectNode> out = new KustomizeRenderer().render(sample(root).resolve("overlay"));
        assertEquals(1, out.size());
        JsonNode d = out.get(0);
        assertEquals("ns", d.at("/metadata/namespace").asText());
        JsonNode spec = d.at("/spec/template/spec");
        assertFalse(spec.has("terminationGracePeriodSeconds"), "null in a patch deletes the field");
        assertEquals("[{\"key\":\"b\",\"operator\":\"Exists\"}]", spec.get("tolerations").toString(), "tolerations are replaced");
        JsonNode app = spec.at("/containers/0");
        assertEquals("[{\"name\":\"B\",\"value\":\"20\"},{\"name\":\"C\",\"value\":\"3\"},{\"name\":\"A\",\"value\":\"1\"}]",
                app.get("env").toString(), "env merges by name; kustomize puts the patch's entries first");
        assertEquals("{\"cpu\":\"1\",\"memory\":\"1Gi\"}", app.at("/resources/limits").toString());
        assertEquals("[{\"containerPort\":81,\"name\":\"web\"},{\"containerPort\":80}]", app.get("ports").toString(),
                "container ports merge by containerPort");
        assertEquals("reg.example/app:2", app.get("image").asText());
        assertEquals("extra", spec.at("/containers/1/name").asText(), "a new container follows the patched ones");
        assertEquals("reg.example/app:2", spec.at("/containers/1/image").asText());
        assertEquals("registry.local:5000/side:v9", spec.at("/containers/2/image").asText(), "a new tag replaces a digest");
        assertEquals("[{\"name\":\"v2\",\"emptyDir\":{\"medium\":\"Memory\"}},{\"name\":\"v1\",\"emptyDir\":{}}]",
                spec.get("volumes").toString(), "volumes merge by name");
    }

    @Test
    void sameAsKustomizeWhenInstalled(@TempDir Path root) throws Exception {
        Optional<KustomizeBinary> binary = KustomizeBinary.find();
        org.junit.jupiter.api.Assumptions.assumeTrue(binary.isPresent(), "no kustomize or kubectl on PATH");
        Path overlay = sample(root).resolve("overlay");
        List<ObjectNode> expected = binary.get().render(overlay);
        List<ObjectNode> actual = new KustomizeRenderer().render(overlay);
        assertEquals(1, expected.size());
        Optional<String> difference = TreeDiff.first(expected.get(0), actual.get(0), "");
        assertTrue(difference.isEmpty(), () -> "differs from " + binary.get() + " at " + difference.get());
    }

    @Test
    void refusesKustomizeFeaturesItDoesNotImplement(@TempDir Path root) throws IOException {
        tree(root, Map.of("kustomization.yaml", "resources:\n  - d.yaml\ncommonLabels:\n  a: b\n", "d.yaml", DEPLOYMENT));
        assertContains(assertThrows(IllegalArgumentException.class, () -> new KustomizeRenderer().render(root)).getMessage(),
                "field 'commonLabels' is not supported by this renderer");
    }

    @Test
    void refusesPatchesWithTargetsOrDirectives(@TempDir Path root) throws IOException {
        tree(root, Map.of(
                "a/kustomization.yaml", "resources:\n  - d.yaml\npatches:\n  - path: p.yaml\n    target:\n      kind: Deployment\n",
                "a/d.yaml", DEPLOYMENT, "a/p.yaml", PATCH,
                "b/kustomization.yaml", "resources:\n  - d.yaml\npatches:\n  - path: p.yaml\n",
                "b/d.yaml", DEPLOYMENT,
                "b/p.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  $patch: replace\n"));
        assertContains(assertThrows(IllegalArgumentException.class, () -> new KustomizeRenderer().render(root.resolve("a")))
                .getMessage(), "patches[].target is not supported");
        assertContains(assertThrows(IllegalArgumentException.class, () -> new KustomizeRenderer().render(root.resolve("b")))
                .getMessage(), "patch directive .spec.$patch is not supported");
    }

    @Test
    void patchMustMatchExactlyOneResource(@TempDir Path root) throws IOException {
        tree(root, Map.of("kustomization.yaml", "resources:\n  - d.yaml\npatches:\n  - path: p.yaml\n", "d.yaml", DEPLOYMENT,
                "p.yaml", PATCH.replace("name: app\nspec", "name: ap\nspec")));
        assertContains(assertThrows(IllegalArgumentException.class, () -> new KustomizeRenderer().render(root)).getMessage(),
                "patch for Deployment ap matches 0 resources");
    }

    @Test
    void refusesDuplicateResources(@TempDir Path root) throws IOException {
        tree(root, Map.of("kustomization.yaml", "resources:\n  - d.yaml\n  - e.yaml\n", "d.yaml", DEPLOYMENT, "e.yaml", DEPLOYMENT));
        assertContains(assertThrows(IllegalArgumentException.class, () -> new KustomizeRenderer().render(root)).getMessage(),
                "resource Deployment//app is defined twice");
    }

    @Test
    void imageReferences() {
        assertEquals(new KustomizeRenderer.ImageRef("registry:5000/a/b", "1", "sha256:x"),
                KustomizeRenderer.ImageRef.parse("registry:5000/a/b:1@sha256:x"));
        assertEquals(new KustomizeRenderer.ImageRef("registry:5000/a", null, null), KustomizeRenderer.ImageRef.parse("registry:5000/a"));
        assertEquals("x/b@sha256:y", KustomizeRenderer.ImageRef.parse("b:1").with("x/b", null, "sha256:y").toString());
    }
}
