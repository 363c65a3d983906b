package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.claws.model.io.CheckpointException;
import dev.claws.model.io.CheckpointTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * All weights of a decoder, loaded from a checkpoint directory as float32 engine arrays and validated against the
 * shapes config.json implies (a wrong shape fails with the tensor's name, the found and the expected shape).
 */
final class DecoderWeights {

    final NDArray embedTokens;
    final List<LayerWeights> layers;
    final NDArray finalNorm;
    final NDArray lmHead;

    private DecoderWeights(NDArray embedTokens, List<LayerWeights> layers, NDArray finalNorm, NDArray lmHead) {
        this.embedTokens = embedTokens;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    static DecoderWeights load(ModelConfig c, CheckpointTensors t, NDManager m) {
        boolean sliced = c.sliceGpt() != null;
        NDArray embed = read(t, m, "model.embed_tokens.weight", c.vocabSize(), c.embeddingWidth());
        int q = c.numAttentionHeads() * c.headDim();
        int kv = c.numKeyValueHeads() * c.headDim();
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            int din = c.attentionInputWidth(i);
            int dmid = c.mlpInputWidth(i);
            int dout = c.layerOutputWidth(i);
            int inter = c.intermediateSize(i);
            NDArray inNorm = sliced ? null : read(t, m, p + "input_layernorm.weight", din);
            NDArray qkv = fuse(m, read(t, m, p + "self_attn.q_proj.weight", q, din),
                    read(t, m, p + "self_attn.k_proj.weight", kv, din),
                    read(t, m, p + "self_attn.v_proj.weight", kv, din));
            NDArray qkvBias = c.qkvBias() ? fuse(m, read(t, m, p + "self_attn.q_proj.bias", q),
                    read(t, m, p + "self_attn.k_proj.bias", kv),
                    read(t, m, p + "self_attn.v_proj.bias", kv)) : null;
            NDArray o = read(t, m, p + "self_attn.o_proj.weight", dmid, q);
            NDArray oBias = c.outputBias() ? read(t, m, p + "self_attn.o_proj.bias", dmid) : null;
            NDArray postNorm = sliced ? null : read(t, m, p + "post_attention_layernorm.weight", dmid);
            NDArray gateUp = fuse(m, read(t, m, p + "mlp.gate_proj.weight", inter, dmid),
                    read(t, m, p + "mlp.up_proj.weight", inter, dmid));
            NDArray gateUpBias = c.mlpBias() ? fuse(m, read(t, m, p + "mlp.gate_proj.bias", inter),
                    read(t, m, p + "mlp.up_proj.bias", inter)) : null;
            NDArray down = read(t, m, p + "mlp.down_proj.weight", dout, inter);
            NDArray downBias = c.mlpBias() ? read(t, m, p + "mlp.down_proj.bias", dout) : null;
            NDArray attnQ = shortcut(t, m, p + "attn_shortcut_Q", din, dmid, sliced);
            NDArray mlpQ = shortcut(t, m, p + "mlp_shortcut_Q", dmid, dout, sliced);
            layers.add(new LayerWeights(inNorm, qkv, qkvBias, o, oBias, postNorm, gateUp, gateUpBias, down, downBias,
                    attnQ, mlpQ, inter));
        }
        NDArray norm = sliced ? null : read(t, m, "model.norm.weight", c.headInputWidth());
        NDArray head;
        if (c.tieWordEmbeddings()) {
            head = embed;
        } else {
            head = read(t, m, "lm_head.weight", c.vocabSize(), c.headInputWidth());
        }
        return new DecoderWeights(embed, Collections.unmodifiableList(layers), norm, head);
    }

    /** Shortcut matrices: required when the widths differ; absent means identity when they match. */
    private static NDArray shortcut(CheckpointTensors t, NDManager m, String name, int rows, int cols,
                                    boolean sliced) {
        if (!sliced) {
            return null;
        }
        if (!t.contains(name)) {
            if (rows == cols) {
                return null;
            }
            throw new CheckpointException("tensor '" + name + "' missing from checkpoint " + t.directory()
                    + " (needed: widths " + rows + " -> " + cols + ")");
        }
        return read(t, m, name, rows, cols);
    }

    private static NDArray read(CheckpointTensors t, NDManager m, String name, long... expected) {
        long[] found = t.entry(name).shape();
        if (!Arrays.equals(found, expected)) {
            throw new CheckpointException("tensor '" + name + "' has shape " + Arrays.toString(found)
                    + " but config.json implies " + Arrays.toString(expected) + " (" + t.directory() + ")");
        }
        return t.readFloat32(name, m);
    }

    /** Concatenates along the first axis (result owned by the parts' manager) and frees the parts. */
    private static NDArray fuse(NDManager m, NDArray... parts) {
        NDArray fused = NDArrays.concat(new NDList(parts), 0);
        for (NDArray p : parts) {
            p.close();
        }
        return fused;
    }
}
