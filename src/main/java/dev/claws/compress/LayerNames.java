package dev.claws.compress;

/** Parsing of Hugging Face tensor names ("model.layers.{i}.{leaf}"). */
final class LayerNames {

    /** Output shard size: Hugging Face's default of 5 GB (small checkpoints stay one file). */
    static final long SHARD_BYTES = 5L * 1024 * 1024 * 1024;

    private static final String PREFIX = "model.layers.";

    private LayerNames() {
    }

    /** The layer index of a per-layer tensor, -1 for the embedding, final norm and head. */
    static int layerOf(String name) {
        if (!name.startsWith(PREFIX)) {
            return -1;
        }
        int dot = name.indexOf('.', PREFIX.length());
        return Integer.parseInt(name.substring(PREFIX.length(), dot));
    }

    /** The part after "model.layers.{i}.", e.g. "mlp.down_proj.weight". */
    static String leaf(String name) {
        int dot = name.indexOf('.', PREFIX.length());
        return name.substring(dot + 1);
    }
}
