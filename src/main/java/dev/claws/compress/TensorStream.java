package dev.claws.compress;

import ai.djl.ndarray.NDManager;

/**
 * Hands out one sub-manager per produced tensor and frees the previous one when the next is asked for, so a
 * checkpoint writer that consumes tensors one at a time never holds more than one output tensor (and its
 * temporaries) in memory.
 */
final class TensorStream implements AutoCloseable {

    private final NDManager root;
    private NDManager step;

    TensorStream(NDManager root) {
        this.root = root;
    }

    NDManager next() {
        close();
        step = root.newSubManager();
        return step;
    }

    @Override
    public void close() {
        if (step != null) {
            step.close();
            step = null;
        }
    }
}
