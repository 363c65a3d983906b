package dev.claws.model.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Minimal "--key value" / "--flag" argument parsing for the command-line tools. */
public final class CommandLine {

    private final Map<String, String> values = new HashMap<>();

    public CommandLine(String[] args, Set<String> flags) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
            String key = a.substring(2);
            if (flags.contains(key)) {
                values.put(key, "true");
            } else {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + key + " needs a value");
                }
                values.put(key, args[++i]);
            }
        }
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public String get(String key, String dflt) {
        return values.getOrDefault(key, dflt);
    }

    public String require(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return v;
    }

    public int getInt(String key, int dflt) {
        return values.containsKey(key) ? Integer.parseInt(values.get(key)) : dflt;
    }

    public double getDouble(String key, double dflt) {
        return values.containsKey(key) ? Double.parseDouble(values.get(key)) : dflt;
    }
}
