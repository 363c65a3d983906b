package dev.claws.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The tensor names and shapes a checkpoint for a given config holds, in Hugging Face order. */
public final class TensorLayout {

    private TensorLayout() {
    }

    public static Map<String, long[]> of(ModelConfig c) {
        Map<String, long[]> t = new LinkedHashMap<>();
        boolean sliced = c.sliceGpt() != null;
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        t.put("model.embed_tokens.weight", new long[] {c.vocabSize(), c.embeddingWidth()});
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            int din = c.attentionInputWidth(i);
            int dmid = c.mlpInputWidth(i);
            int dout = c.layerOutputWidth(i);
            int inter = c.intermediateSize(i);
            if (!sliced) {
                t.put(p + "input_layernorm.weight", new long[] {din});
            }
            t.put(p + "self_attn.q_proj.weight", new long[] {q, din});
            t.put(p + "self_attn.k_proj.weight", new long[] {kv, din});
            t.put(p + "self_attn.v_proj.weight", new long[] {kv, din});
            if (c.qkvBias()) {
                t.put(p + "self_attn.q_proj.bias", new long[] {q});
                t.put(p + "self_attn.k_proj.bias", new long[] {kv});
                t.put(p + "self_attn.v_proj.bias", new long[] {kv});
            }
            t.put(p + "self_attn.o_proj.weight", new long[] {dmid, q});
            if (c.outputBias()) {
                t.put(p + "self_attn.o_proj.bias", new long[] {dmid});
            }
            if (!sliced) {
                t.put(p + "post_attention_layernorm.weight", new long[] {dmid});
            }
            t.put(p + "mlp.gate_proj.weight", new long[] {inter, dmid});
            t.put(p + "mlp.up_proj.weight", new long[] {inter, dmid});
            t.put(p + "mlp.down_proj.weight", new long[] {dout, inter});
            if (c.mlpBias()) {
                t.put(p + "mlp.gate_proj.bias", new long[] {inter});
                t.put(p + "mlp.up_proj.bias", new long[] {inter});
                t.put(p + "mlp.down_proj.bias", new long[] {dout});
            }
            if (sliced) {
                t.put(p + "attn_shortcut_Q", new long[] {din, dmid});
                t.put(p + "mlp_shortcut_Q", new long[] {dmid, dout});
            }
        }
        if (!sliced) {
            t.put("model.norm.weight", new long[] {c.headInputWidth()});
        }
        if (!c.tieWordEmbeddings()) {
            t.put("lm_head.weight", new long[] {c.vocabSize(), c.headInputWidth()});
        }
        return t;
    }
}
