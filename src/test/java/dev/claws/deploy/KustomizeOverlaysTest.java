package dev.claws.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Renders every overlay under k8s/overlays, parses each object strictly into the Kubernetes model and checks that
 * probes, ports, volumes and configuration keys agree with src/main/resources/application.properties and
 * src/main/docker/Dockerfile.jvm. When kustomize (or kubectl) is on PATH, the Java rendering is compared with it.
 */
class KustomizeOverlaysTest {

    static final Path OVERLAYS = Path.of("k8s", "overlays");

    /** The engine device each overlay must configure; a new overlay has to be added here to be tested. */
    static final Map<String, String> DEVICE_BY_OVERLAY = Map.of("cpu", "cpu", "gpu", "gpu");

    static final Set<String> REQUIRED_KINDS = Set.of("Namespace", "ConfigMap", "Secret", "PersistentVolumeClaim",
            "Deployment", "Service", "StatefulSet", "PodDisruptionBudget");

    static Stream<String> overlays() throws IOException {
        try (Stream<Path> dirs = Files.list(OVERLAYS)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    static RenderedOverlay render(String overlay) {
        return RenderedOverlay.of(overlay, new KustomizeRenderer().render(OVERLAYS.resolve(overlay)));
    }

    @Test
    void everyOverlayIsKnownToTheTest() throws IOException {
        assertEquals(new TreeSet<>(DEVICE_BY_OVERLAY.keySet()), overlays().collect(Collectors.toCollection(TreeSet::new)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlayRendersToStrictlyValidObjects(String overlay) {
        RenderedOverlay rendered = render(overlay);
        Map<String, Long> kinds = rendered.objects().stream()
                .collect(Collectors.groupingBy(HasMetadata::getKind, TreeMap::new, Collectors.counting()));
        System.out.printf("overlay %s: %d objects, all strictly valid: %s%n", overlay, rendered.objects().size(), kinds);
        assertTrue(kinds.keySet().containsAll(REQUIRED_KINDS), () -> "missing kinds: " + REQUIRED_KINDS + " vs " + kinds);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlayAgreesWithApplicationConfigurationAndImage(String overlay) {
        List<String> problems = DeploymentConsistency.check(render(overlay),
                ApplicationConfig.load(ApplicationConfig.DEFAULT_LOCATION),
                DockerfileFacts.load(DockerfileFacts.DEFAULT_LOCATION), DEVICE_BY_OVERLAY.get(overlay));
        assertTrue(problems.isEmpty(), () -> "overlay " + overlay + ":\n  " + String.join("\n  ", problems));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void javaRenderingMatchesKustomize(String overlay) throws Exception {
        Optional<KustomizeBinary> binary = KustomizeBinary.find();
        assumeTrue(binary.isPresent(), "neither kustomize nor kubectl on PATH: Java rendering not cross-checked"
                + " (k8s/ci-install-kustomize.sh installs kustomize)");
        Map<String, ObjectNode> expected = byId(binary.get().render(OVERLAYS.resolve(overlay)));
        Map<String, ObjectNode> actual = byId(new KustomizeRenderer().render(OVERLAYS.resolve(overlay)));
        assertEquals(expected.keySet(), actual.keySet(), binary.get() + " and the Java renderer produce different objects");
        for (String id : expected.keySet()) {
            Optional<String> difference = TreeDiff.first(expected.get(id), actual.get(id), "");
            assertTrue(difference.isEmpty(), () -> id + " differs between " + binary.get() + " and the Java renderer at "
                    + difference.get());
        }
        System.out.printf("overlay %s: Java rendering identical to '%s' (%d objects)%n", overlay, binary.get(), expected.size());
    }

    static Map<String, ObjectNode> byId(List<ObjectNode> objects) {
        Map<String, ObjectNode> out = new TreeMap<>();
        objects.forEach(o -> out.put(Manifests.id(o), o));
        assertEquals(objects.size(), out.size(), "duplicate object ids");
        return out;
    }
}
