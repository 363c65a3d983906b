package dev.claws.deploy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.claws.deploy.OverlayFixtures.element;
import static dev.claws.deploy.OverlayFixtures.object;
import static dev.claws.deploy.OverlayFixtures.rename;
import static dev.claws.deploy.OverlayFixtures.render;
import static dev.claws.deploy.OverlayFixtures.serverContainer;
import static dev.claws.deploy.OverlayFixtures.assertContains;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The strict schema check rejects what the API server would reject, on copies of the real rendered objects. */
class StrictSchemaTest {

    private static String violation(List<ObjectNode> objects) {
        String message = assertThrows(StrictSchema.Violation.class, () -> RenderedOverlay.of("broken", objects)).getMessage();
        System.out.println("provoked: " + message);
        return message;
    }

    @Test
    void realObjectsPass() {
        assertDoesNotThrow(() -> RenderedOverlay.of("cpu", render("cpu")));
    }

    @Test
    void misspelledContainerPortIsRejectedWithItsPath() {
        List<ObjectNode> objects = render("cpu");
        rename(element(serverContainer(objects).get("ports"), "name", "grpc"), "containerPort", "contianerPort");
        assertContains(violation(objects), "Deployment/claws/claws", "spec.template.spec.containers[0].ports[0].contianerPort");
    }

    @Test
    void misspelledProbeFieldIsRejectedWithItsPath() {
        List<ObjectNode> objects = render("cpu");
        rename((ObjectNode) serverContainer(objects).at("/livenessProbe/grpc"), "port", "prot");
        assertContains(violation(objects), "spec.template.spec.containers[0].livenessProbe.grpc.prot");
    }

    @Test
    void misspelledFieldsAnywhereAreAllReported() {
        List<ObjectNode> objects = render("gpu");
        rename((ObjectNode) object(objects, "StatefulSet", "claws-postgres").get("spec"), "volumeClaimTemplates", "volumeClaimTemplate");
        rename((ObjectNode) object(objects, "Service", "claws").get("spec"), "selector", "selectr");
        rename((ObjectNode) object(objects, "PodDisruptionBudget", "claws").get("spec"), "maxUnavailable", "maxUnavailble");
        rename(object(objects, "Secret", "claws-secrets"), "stringData", "stringdata");
        assertContains(violation(objects),
                "StatefulSet/claws/claws-postgres: unknown field(s) for StatefulSet: spec.volumeClaimTemplate",
                "Service/claws/claws: unknown field(s) for Service: spec.selectr",
                "PodDisruptionBudget/claws/claws: unknown field(s) for PodDisruptionBudget: spec.maxUnavailble",
                "Secret/claws/claws-secrets: unknown field(s) for Secret: stringdata");
    }

    @Test
    void quotedNumberIsNoPort() {
        List<ObjectNode> objects = render("cpu");
        element(serverContainer(objects).get("ports"), "name", "grpc").set("containerPort", TextNode.valueOf("9000"));
        assertContains(violation(objects), "Deployment/claws/claws", "containerPort");
    }

    @Test
    void numberIsNoEnvironmentValueOrLabel() {
        List<ObjectNode> env = render("cpu");
        element(serverContainer(env).get("env"), "name", "JAVA_MAX_MEM_RATIO").set("value", IntNode.valueOf(40));
        assertContains(violation(env), "Deployment/claws/claws", "value");

        List<ObjectNode> labels = render("cpu");
        ((ObjectNode) object(labels, "ConfigMap", "claws-config").at("/metadata/labels")).set("tier", IntNode.valueOf(1));
        assertContains(violation(labels), "ConfigMap/claws/claws-config", "labels");
    }

    @Test
    void unknownApiVersionOrKindIsRejected() {
        List<ObjectNode> objects = render("cpu");
        object(objects, "Deployment", "claws").put("apiVersion", "apps/v1beta2");
        assertContains(violation(objects), "apps/v1beta2 Deployment", "is not one of");
    }

    @Test
    void duplicateKeysAreRejected() {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
        assertContains(assertThrows(IllegalArgumentException.class, () -> Manifests.read(yaml, "dup.yaml")).getMessage(),
                "Duplicate field 'name'");
    }
}
