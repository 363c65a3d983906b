package dev.claws.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** Real renderings of k8s/overlays, copied so that a test can break one field and see the checks catch it. */
final class OverlayFixtures {

    private OverlayFixtures() {
    }

    static List<ObjectNode> render(String overlay) {
        return new KustomizeRenderer().render(KustomizeOverlaysTest.OVERLAYS.resolve(overlay));
    }

    static ObjectNode object(List<ObjectNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /** The claws container of the claws Deployment. */
    static ObjectNode serverContainer(List<ObjectNode> objects) {
        return element(object(objects, "Deployment", "claws").at("/spec/template/spec/containers"), "name", "claws");
    }

    static ObjectNode element(JsonNode list, String key, String value) {
        for (JsonNode e : (ArrayNode) list) {
            if (value.equals(e.path(key).asText())) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError("no element with " + key + "=" + value + " in " + list);
    }

    /** Renames a field in place, the way a typo in the manifest would. */
    static void rename(ObjectNode parent, String from, String to) {
        JsonNode value = parent.remove(from);
        if (value == null) {
            throw new AssertionError("no field " + from + " in " + parent);
        }
        parent.set(to, value);
    }

    /** Replaces one line of the ConfigMap's application.properties. */
    static void editConfigFile(List<ObjectNode> objects, String oldLine, String newLine) {
        ObjectNode data = (ObjectNode) object(objects, "ConfigMap", "claws-config").get("data");
        String text = data.get("application.properties").asText();
        if (!text.contains(oldLine + "\n")) {
            throw new AssertionError("the ConfigMap file has no line " + oldLine);
        }
        data.put("application.properties", text.replace(oldLine + "\n", newLine + "\n"));
    }

    /** Fails unless the message contains every part; shows the whole message otherwise. */
    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            if (message == null || !message.contains(part)) {
                throw new AssertionError("expected the message to contain \"" + part + "\" but it was:\n" + message);
            }
        }
    }
}
