package dev.claws.model.tools;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.claws.model.ByteLevelAlphabet;

/**
 * A minimal byte-level BPE tokenizer.json (the 256 byte symbols, no merges, one special end-of-text token), for
 * synthetic checkpoints that have no trained tokenizer: any text encodes (one token per byte) and decodes losslessly.
 */
final class ByteLevelTokenizerJson {

    private ByteLevelTokenizerJson() {
    }

    static String generate(int eosId, String eosToken) {
        JsonObject vocab = new JsonObject();
        String[] symbols = ByteLevelAlphabet.symbols();
        for (int b = 0; b < 256; b++) {
            vocab.addProperty(symbols[b], b);
        }
        // the special token also sits in the model vocabulary: tokenizers renumbers an added token whose id is not
        // in the vocabulary, and eos ids like 151643 lie far beyond the 256 byte symbols
        vocab.addProperty(eosToken, eosId);
        JsonObject byteLevel = new JsonObject();
        byteLevel.addProperty("type", "ByteLevel");
        byteLevel.addProperty("add_prefix_space", false);
        byteLevel.addProperty("trim_offsets", true);
        byteLevel.addProperty("use_regex", true);

        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        model.add("vocab", vocab);
        model.add("merges", new JsonArray());

        JsonObject special = new JsonObject();
        special.addProperty("id", eosId);
        special.addProperty("content", eosToken);
        special.addProperty("single_word", false);
        special.addProperty("lstrip", false);
        special.addProperty("rstrip", false);
        special.addProperty("normalized", false);
        special.addProperty("special", true);
        JsonArray added = new JsonArray();
        added.add(special);

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", byteLevel);
        root.add("post_processor", byteLevel.deepCopy());
        root.add("decoder", byteLevel.deepCopy());
        root.add("model", model);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(root)
                + "\n";
    }
}
