package dev.claws.model.tools;

import ai.djl.ndarray.NDArray;
import dev.claws.model.DecodeMatrix;
import dev.claws.model.DecoderModel;
import dev.claws.model.LayerWeights;
import dev.claws.model.LinearMaps.Projection;
import dev.claws.model.ModelConfig;
import dev.claws.model.WeightsDtype;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What a host decode step reads, taken from a loaded {@link DecoderModel} without changing it: each layer's fused
 * projections (QKV [(H + 2K) * headDim, width], O [width, H * headDim], GATE_UP [2I, width], DOWN [width, I]) and the
 * LM head [vocab, width] as {@link DecodeMatrix} in the chosen dtype, exactly as the engine's own decode steps hold
 * them (float32 reads the engine's memory in place, bfloat16 is a copy rounded to nearest even); norm weights and
 * biases copied to float arrays; the token embedding [vocab, width] read in place from the engine array; RoPE's
 * inverse frequencies [headDim / 2] as the engine computes them. The model must outlive this.
 */
final class HostDecodeWeights {

    /** One layer: products, RMSNorm weights [width], biases (null when the checkpoint has none), MLP width I. */
    record Layer(DecodeMatrix qkv, DecodeMatrix o, DecodeMatrix gateUp, DecodeMatrix down, float[] inputNorm,
                 float[] postNorm, float[] qkvBias, float[] oBias, float[] gateUpBias, float[] downBias,
                 int intermediate) {
    }

    final ModelConfig config;
    final WeightsDtype dtype;
    final List<Layer> layers;
    final float[] finalNorm;
    final DecodeMatrix head;
    final float[] invFreq;
    private final FloatBuffer embedding;

    private HostDecodeWeights(ModelConfig config, WeightsDtype dtype, List<Layer> layers, float[] finalNorm,
                              DecodeMatrix head, float[] invFreq, FloatBuffer embedding) {
        this.config = config;
        this.dtype = dtype;
        this.layers = layers;
        this.finalNorm = finalNorm;
        this.head = head;
        this.invFreq = invFreq;
        this.embedding = embedding;
    }

    /**
     * The weights of {@code model} for host decode steps in {@code dtype} (float32 or bfloat16).
     *
     * @throws IllegalArgumentException a SliceGPT model (weightless norms, shortcut matrices) or an int8 dtype, which
     *                                  this prototype does not cover
     */
    static HostDecodeWeights of(DecoderModel model, WeightsDtype dtype) {
        ModelConfig c = model.config();
        if (c.sliceGpt() != null) {
            throw new IllegalArgumentException("the host decode prototype covers Qwen2 / LLaMA without SliceGPT slicing");
        }
        if (dtype == WeightsDtype.INT8) {
            throw new IllegalArgumentException("the host decode prototype covers float32 and bfloat16 weights");
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < model.layerCount(); l++) {
            LayerWeights w = model.layerWeights(l);
            layers.add(new Layer(DecodeMatrix.of(w.qkv(), dtype), DecodeMatrix.of(w.o(), dtype),
                    DecodeMatrix.of(w.gateUp(), dtype), DecodeMatrix.of(w.down(), dtype), floats(w.inputNorm()),
                    floats(w.postNorm()), floats(w.qkvBias()), floats(w.oBias()), floats(w.gateUpBias()),
                    floats(w.downBias()), w.intermediateSize()));
        }
        NDArray embed = model.tokenEmbeddings();
        ByteBuffer bytes = embed.toByteBuffer(true);
        if (!bytes.isDirect()) {
            throw new IllegalStateException("the engine's token embedding is not a contiguous native buffer");
        }
        return new HostDecodeWeights(c, dtype, List.copyOf(layers), floats(model.finalNormWeight()),
                DecodeMatrix.of(model.projectionWeight(-1, Projection.LM_HEAD), dtype), model.ropeInverseFrequencies(),
                bytes.order(ByteOrder.nativeOrder()).asFloatBuffer());
    }

    private static float[] floats(NDArray a) {
        return a == null ? null : a.toFloatArray();
    }

    /** Copies token {@code token}'s embedding row [width] into h[0..width). */
    void embed(int token, float[] h) {
        int width = config.hiddenSize();
        embedding.get(token * width, h, 0, width);
    }
}
