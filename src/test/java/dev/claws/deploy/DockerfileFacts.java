package dev.claws.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the manifests rely on from src/main/docker/Dockerfile.jvm: user, working directory, exposed ports, COPY
 * targets, and the RUN commands with ARG defaults substituted.
 */
record DockerfileFacts(String user, String workdir, Set<Integer> exposed, Map<String, String> copies, List<String> runs) {

    static final Path DEFAULT_LOCATION = Path.of("src/main/docker/Dockerfile.jvm");

    static DockerfileFacts load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static DockerfileFacts parse(String text) {
        String user = null;
        String workdir = "/";
        Set<Integer> exposed = new TreeSet<>();
        Map<String, String> copies = new LinkedHashMap<>();
        Map<String, String> args = new LinkedHashMap<>();
        List<String> runs = new ArrayList<>();
        for (String line : instructions(text)) {
            String[] words = line.trim().split("\\s+");
            switch (words[0].toUpperCase()) {
                case "USER" -> user = words[1];
                case "ARG" -> {
                    String[] arg = words[1].split("=", 2);
                    args.put(arg[0], arg.length > 1 ? arg[1] : "");
                }
                case "RUN" -> {
                    String command = line.strip().substring(3).strip();
                    for (Map.Entry<String, String> a : args.entrySet()) {
                        command = command.replace("${" + a.getKey() + "}", a.getValue()).replace("$" + a.getKey(), a.getValue());
                    }
                    runs.add(command);
                }
                case "WORKDIR" -> workdir = words[1];
                case "EXPOSE" -> {
                    for (int i = 1; i < words.length; i++) {
                        exposed.add(Integer.parseInt(words[i].replace("/tcp", "")));
                    }
                }
                case "COPY" -> {
                    List<String> operands = new ArrayList<>();
                    for (int i = 1; i < words.length; i++) {
                        if (!words[i].startsWith("--")) {
                            operands.add(words[i]);
                        }
                    }
                    String dest = operands.get(operands.size() - 1);
                    for (String src : operands.subList(0, operands.size() - 1)) {
                        copies.put(src, dest);
                    }
                }
                default -> {
                }
            }
        }
        return new DockerfileFacts(user, workdir, exposed, copies, runs);
    }

    /** Instructions with comments dropped and backslash continuations joined. */
    private static List<String> instructions(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
            } else {
                out.add(current.append(line).toString());
                current.setLength(0);
            }
        }
        return out;
    }
}
