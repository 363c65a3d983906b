package dev.claws.deploy;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The application's own configuration (src/main/resources/application.properties) and the keys it knows:
 * every key declared there (profile prefixes such as %prod. removed), every optional key documented there as a
 * commented-out assignment ("# claws.admin-token="), plus a short allow-list of documented Quarkus run-time keys. Keys the cluster sets are checked against this, both as properties and as environment variables
 * (MicroProfile Config: every character that is not a letter or digit becomes '_', then upper case).
 */
record ApplicationConfig(Map<String, String> plain, Map<String, Map<String, String>> byProfile, Set<String> optionalKeys) {

    static final Path DEFAULT_LOCATION = Path.of("src/main/resources/application.properties");

    /** Documented Quarkus run-time keys the cluster may set without application.properties declaring them. */
    static final Set<String> QUARKUS_RUNTIME_KEYS = Set.of(
            "quarkus.grpc.server.port", "quarkus.grpc.server.host",
            "quarkus.http.port", "quarkus.http.host",
            "quarkus.datasource.jdbc.url", "quarkus.datasource.username", "quarkus.datasource.password",
            "quarkus.datasource.jdbc.min-size", "quarkus.datasource.jdbc.max-size",
            "quarkus.log.level", "quarkus.shutdown.timeout");

    /** Fixed at build time: setting them in the cluster has no effect (Quarkus only warns), so it is an error here. */
    static final Set<String> BUILD_TIME_KEYS = Set.of(
            "quarkus.datasource.db-kind", "quarkus.datasource.jdbc.driver", "quarkus.http.root-path",
            "quarkus.micrometer.export.prometheus.path", "quarkus.grpc.server.use-separate-server");
    private static final java.util.regex.Pattern OPTIONAL_KEY =
            java.util.regex.Pattern.compile("^#\\s*((?:claws|quarkus)\\.[A-Za-z0-9.\"-]+)\\s*=.*$");

    static final List<String> BUILD_TIME_PREFIXES = List.of("quarkus.package.", "quarkus.grpc.codegen.", "quarkus.native.");

    static ApplicationConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses properties text; "%a,b.key" entries go to each of the profiles a and b. */
    static ApplicationConfig parse(String text) {
        Properties props = new Properties();
        try {
            props.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> plain = new TreeMap<>();
        Map<String, Map<String, String>> byProfile = new TreeMap<>();
        for (String key : props.stringPropertyNames()) {
            String value = props.getProperty(key);
            if (key.startsWith("%")) {
                int dot = key.indexOf('.');
                for (String profile : key.substring(1, dot).split(",")) {
                    byProfile.computeIfAbsent(profile.trim(), p -> new TreeMap<>()).put(key.substring(dot + 1), value);
                }
            } else {
                plain.put(key, value);
            }
        }
        Set<String> optional = new TreeSet<>();
        for (String line : text.split("\n")) {
            java.util.regex.Matcher m = OPTIONAL_KEY.matcher(line.strip());
            if (m.matches()) {
                optional.add(m.group(1));
            }
        }
        return new ApplicationConfig(plain, byProfile, optional);
    }

    /** Keys as seen by a running application in the given profile: the profile's entries win within this source. */
    Map<String, String> resolved(String profile) {
        Map<String, String> out = new LinkedHashMap<>(plain);
        out.putAll(byProfile.getOrDefault(profile, Map.of()));
        return out;
    }

    /** Keys with a value in some profile, and optional keys documented without one. */
    Set<String> declaredKeys() {
        Set<String> keys = new TreeSet<>(plain.keySet());
        byProfile.values().forEach(m -> keys.addAll(m.keySet()));
        keys.addAll(optionalKeys);
        return keys;
    }

    /** A claws.* key must be declared by the application; a quarkus.* key may also come from the allow-list. */
    boolean knows(String key) {
        return declaredKeys().contains(key) || QUARKUS_RUNTIME_KEYS.contains(key);
    }

    static boolean isBuildTime(String key) {
        return BUILD_TIME_KEYS.contains(key) || BUILD_TIME_PREFIXES.stream().anyMatch(key::startsWith);
    }

    /** The environment variable MicroProfile Config reads for a property name. */
    static String envName(String key) {
        StringBuilder sb = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) ? c : '_');
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    /** The known key an environment variable sets, if any. */
    Optional<String> keyForEnv(String variable) {
        Set<String> candidates = new TreeSet<>(declaredKeys());
        candidates.addAll(QUARKUS_RUNTIME_KEYS);
        return candidates.stream().filter(k -> envName(k).equals(variable)).findFirst();
    }
}
