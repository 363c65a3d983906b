package dev.claws.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads Kubernetes manifests (multi-document YAML) into JSON trees; duplicate keys are errors, as for kubectl. */
final class Manifests {

    static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

    private Manifests() {
    }

    static List<ObjectNode> read(Path file) {
        try {
            return read(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ObjectNode> read(String yaml, String source) {
        List<ObjectNode> out = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(yaml);
             MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(parser)) {
            while (docs.hasNextValue()) {
                JsonNode doc = docs.nextValue();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue; // an empty document between two '---'
                }
                if (!doc.isObject()) {
                    throw new IllegalArgumentException(source + ": a document is not a mapping: " + doc);
                }
                out.add((ObjectNode) doc);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return out;
    }

    static String write(List<ObjectNode> objects) {
        StringBuilder sb = new StringBuilder();
        try {
            for (ObjectNode o : objects) {
                sb.append(YAML.writeValueAsString(o));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    /** "Kind/namespace/name", the identity kustomize uses to match patches and refuse duplicates. */
    static String id(JsonNode object) {
        JsonNode meta = object.path("metadata");
        return object.path("kind").asText() + "/" + meta.path("namespace").asText("") + "/" + meta.path("name").asText();
    }
}
