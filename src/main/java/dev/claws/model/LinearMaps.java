package dev.claws.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;

/**
 * The linear maps of a decoder layer, x [..., in] -> [..., out] with weight [out, in] (and bias [out], or null): the one
 * place every projection of {@link DecoderLayer} goes through, so recovery fine-tuning can add a LoRA delta
 * (x A^T B^T * alpha / rank) to a chosen projection without a second copy of the layer. The result is owned by the
 * manager of {@code x} (the step), never by the weight's.
 */
@FunctionalInterface
public interface LinearMaps {

    /** The projections of one layer (q/k/v and gate/up are applied fused, as {@link LayerWeights} stores them). */
    enum Projection { QKV, O, GATE_UP, DOWN, LM_HEAD }

    /** Rows up to which a decode step computes weight @ x^T (see {@link #DENSE}). */
    int FEW_ROWS = 16;

    NDArray apply(int layer, Projection projection, NDArray x, NDArray weight, NDArray bias);

    /**
     * The plain weights. A decode step's product ([rows, 1, in]) runs on all the configured intra-op threads
     * ({@link Engines#configuredThreads}), the step's other ops on one ({@link DecoderLayer#decodeStep}): the weight
     * read is the one part of the step worth parallelising. A few rows (a batched decode step) are computed as
     * weight @ x^T: with few rows PyTorch's CPU kernels run that form several times faster than linear() (measured 1.0
     * vs 6.4 ms for 2 rows of a 9728x896 weight). The weight is first borrowed as a view owned by the step, so the
     * product lands there too.
     */
    LinearMaps DENSE = (layer, projection, x, weight, bias) -> {
        // only decode steps ([rows, 1, in]); a prompt keeps linear()'s kernels and the threads it runs on
        boolean step = x.getShape().dimension() == 3 && x.getShape().get(1) == 1;
        if (!step) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
        return Engines.withThreads(Engines.configuredThreads(), Engines.intraOpThreads(),
                () -> decodeProduct(x, weight, bias));
    };

    /** {@link #DENSE} for a decode step's x [rows, 1, in]. */
    private static NDArray decodeProduct(NDArray x, NDArray weight, NDArray bias) {
        long rows = x.getShape().get(0);
        if (rows < 2 || rows > FEW_ROWS) {
            return Linear.linear(x, weight, bias).singletonOrThrow();
        }
        NDArray flat = x.reshape(rows, -1);
        NDArray borrowed = weight.get(x.getManager(), new NDIndex(":"));
        NDArray y = borrowed.matMul(flat.transpose()).transpose();
        if (bias != null) {
            y = y.add(bias);
        }
        long[] shape = x.getShape().getShape();
        shape[shape.length - 1] = weight.getShape().get(0);
        return y.reshape(shape);
    }
}
