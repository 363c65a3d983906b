package dev.claws.deploy;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The first place where two JSON trees differ, as a readable path, for assertion messages. */
final class TreeDiff {

    private TreeDiff() {
    }

    static Optional<String> first(JsonNode expected, JsonNode actual, String path) {
        if (expected.isObject() && actual.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode e = expected.get(name);
                JsonNode a = actual.get(name);
                if (e == null || a == null) {
                    return Optional.of(path + "." + name + ": " + (e == null ? "absent" : e) + " vs " + (a == null ? "absent" : a));
                }
                Optional<String> d = first(e, a, path + "." + name);
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (expected.isArray() && actual.isArray()) {
            if (expected.size() != actual.size()) {
                return Optional.of(path + ": " + expected.size() + " elements vs " + actual.size());
            }
            Iterator<JsonNode> a = actual.elements();
            int i = 0;
            for (JsonNode e : expected) {
                Optional<String> d = first(e, a.next(), path + "[" + i++ + "]");
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        return expected.equals(actual) ? Optional.empty() : Optional.of(path + ": " + expected + " vs " + actual);
    }
}
