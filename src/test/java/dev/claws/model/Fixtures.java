package dev.claws.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths and readers for the golden fixtures made by src/test/python/make_model_fixtures.py. */
final class Fixtures {

    static final Path MODELS = Path.of("src/test/resources/fixtures/models");
    static final String[] NAMES = {"qwen2-fp32-tied", "qwen2-bf16-untied", "qwen2-f16-mqa-headdim",
        "llama-fp32-llama3rope-untied", "llama-fp32-bias-sharded"};

    private Fixtures() {
    }

    static Path dir(String name) {
        return MODELS.resolve(name);
    }

    static JsonObject reference(String name) {
        try {
            return JsonParser.parseString(Files.readString(dir(name).resolve("reference.json"))).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    static double[] doubles(JsonArray a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    static float[][] matrix(JsonArray a) {
        float[][] out = new float[a.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            out[i] = new float[row.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = row.get(j).getAsFloat();
            }
        }
        return out;
    }

    static double maxAbsDiff(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new AssertionError("row count " + a.length + " != " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new AssertionError("row " + i + " length " + a[i].length + " != " + b[i].length);
            }
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
